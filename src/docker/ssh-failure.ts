import { sshCommandLine, sshHost, sshUrl, type SshDestination } from './ssh-command.js';
import { escapeControls } from '../log/escape-controls.js';

/** A failed ssh connection to an engine: why, in one line, and what to do. */
export class SshConnectionError extends Error {
  /** Not an errno: tells it apart from socket errors; the hint goes to the user with the message. */
  readonly code = 'ESSH';

  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'SshConnectionError';
  }
}

/** Why an ssh connection to an engine ended, said in one line, and what to do about it. */
export interface SshFailure {
  readonly message: string;
  readonly hint: string;
}

export interface SshOutcome {
  readonly destination: SshDestination;
  /** What ssh (and the remote `docker system dial-stdio`) wrote to stderr. */
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/**
 * Reads ssh's stderr for the cause it names. Host key problems come first: they are the ones a user
 * must not wave through (a changed key may be a man-in-the-middle, who would get the engine — root
 * on that host — and the input).
 */
export function describeSshFailure(outcome: SshOutcome): SshFailure {
  const { destination } = outcome;
  const text = outcome.stderr.replace(/\r/g, '');
  const url = sshUrl(destination);
  // How known_hosts names the host: `host`, or `[host]:port` on another port than 22.
  const known = destination.port === undefined || destination.port === 22 ? sshHost(destination.hostname) : `[${sshHost(destination.hostname)}]:${destination.port}`;
  const keyscan = `\`ssh-keyscan${destination.port === undefined ? '' : ` -p ${destination.port}`} ${sshHost(destination.hostname)} >> ~/.ssh/known_hosts\``;

  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(text)) {
    const host = match(text, /Host key for (\S+) has changed/) ?? known;
    const recorded = match(text, /Offending \S+ key in (\S+)/);
    const fingerprint = match(text, /key sent by the remote host is\s+(\S+?)\.?$/m);
    return {
      message: `ssh refused ${url}: the host key of ${host} has CHANGED since it was recorded${recorded ? ` in ${recorded}` : ' in known_hosts'} — someone may be intercepting the connection; nothing was sent to the engine`,
      hint: `if the host's key really changed, confirm its new fingerprint${fingerprint ? ` (${fingerprint})` : ''} with the host's administrator, then replace the old entry: \`ssh-keygen -R '${host}'\` and ${keyscan}`,
    };
  }
  if (/REVOKED HOST KEY/.test(text)) {
    return {
      message: `ssh refused ${url}: the host presented a key marked as revoked in known_hosts; nothing was sent to the engine`,
      hint: "ask the host's administrator which key it should have",
    };
  }
  if (/Host key verification failed/.test(text)) {
    const host = match(text, /host key is known for (\S+)/) ?? known;
    return {
      message: `ssh refused ${url}: the host key of ${host} is not in known_hosts, and pmt never asks to accept one (ssh runs with BatchMode=yes); nothing was sent to the engine`,
      hint: `check the host's key fingerprint with its administrator, then record it: connect once with \`${sshCommandLine(destination)}\` and accept it, or ${keyscan}`,
    };
  }
  const denied = match(text, /Permission denied \(([^)]*)\)/);
  if (denied !== undefined) {
    return {
      message: `ssh could not log in to ${url}: Permission denied (${denied})`,
      hint: 'check the user name, and that your key is loaded in ssh-agent (SSH_AUTH_SOCK) or named by IdentityFile in ~/.ssh/config; ssh runs with BatchMode=yes, so it cannot ask for a passphrase or a password',
    };
  }
  if (outcome.exitCode === 127 || /docker: (command )?not found/.test(text)) {
    return {
      message: `the docker CLI was not found on the host of ${url} (${lastLine(text) || `exit code ${outcome.exitCode}`})`,
      hint: 'install the docker CLI on that host: pmt runs `docker system dial-stdio` there over ssh, as the docker CLI does',
    };
  }
  if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(text)) {
    return {
      message: `no Docker engine answers on the host of ${url} (${lastLine(text)})`,
      hint: `start the engine there; \`${sshCommandLine(destination)} docker version\` must show a server`,
    };
  }
  const sshSays = match(text, /^ssh: (.+)$/m) ?? match(text, /^(kex_exchange_identification: .+|Connection (?:closed|reset) by .+|Connection timed out .+)$/m);
  if (sshSays !== undefined) {
    return {
      message: `ssh could not reach ${url}: ${escapeControls(sshSays)}`,
      hint: `check the host name and port, and that \`${sshCommandLine(destination)}\` works from this shell`,
    };
  }
  const ended = outcome.signal === null ? `exit code ${outcome.exitCode}` : `signal ${outcome.signal}`;
  const said = lastLine(text);
  return {
    message: `ssh to ${url} ended (${ended})${said ? `: ${said}` : ''}`,
    hint: `run \`${sshCommandLine(destination)} docker system dial-stdio\` to see the whole error`,
  };
}

function match(text: string, pattern: RegExp): string | undefined {
  const found = pattern.exec(text)?.[1];
  return found === undefined ? undefined : escapeControls(found);
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  return escapeControls(lines.at(-1) ?? '');
}
