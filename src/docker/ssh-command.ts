/** An `ssh://[user@]host[:port]` engine address; `host` may be a `Host` alias of the user's ssh config. */
export interface SshDestination {
  readonly hostname: string;
  readonly port: number | undefined;
  readonly username: string | undefined;
}

/** What runs on the remote host: the docker CLI relays its stdin/stdout to the engine's socket. */
export const REMOTE_COMMAND = ['docker', 'system', 'dial-stdio'] as const;

/**
 * The arguments of the system `ssh`, as the docker CLI builds them (`-o ConnectTimeout=30 -T
 * [-l user] [-p port] -- host docker system dial-stdio`), plus `BatchMode=yes`: pmt never prompts, so
 * an unknown host key, a passphrase or a password makes ssh fail instead of waiting for an answer
 * nobody gives. Everything else — known_hosts and StrictHostKeyChecking, ~/.ssh/config (aliases,
 * User, Port, IdentityFile, ProxyJump, ControlMaster), the agent — is OpenSSH's own doing. Options
 * given here win over the user's config, so only these two are fixed. `--` keeps a host name from
 * being read as an option.
 */
export function sshArguments(destination: SshDestination): string[] {
  return [
    '-o', 'ConnectTimeout=30',
    '-o', 'BatchMode=yes',
    '-T',
    ...(destination.username === undefined ? [] : ['-l', destination.username]),
    ...(destination.port === undefined ? [] : ['-p', String(destination.port)]),
    '--', sshHost(destination.hostname),
    ...REMOTE_COMMAND,
  ];
}

/** The address as the user wrote it, for messages: `ssh://user@host:port` or `ssh://alias`. */
export function sshUrl(destination: SshDestination): string {
  const user = destination.username === undefined ? '' : `${destination.username}@`;
  return `ssh://${user}${destination.hostname}${destination.port === undefined ? '' : `:${destination.port}`}`;
}

/** The same destination as an ssh command line, for hints: `ssh -p 2222 user@host`. */
export function sshCommandLine(destination: SshDestination): string {
  const user = destination.username === undefined ? '' : `${destination.username}@`;
  return `ssh${destination.port === undefined ? '' : ` -p ${destination.port}`} ${user}${sshHost(destination.hostname)}`;
}

/** URLs bracket IPv6 addresses (`[::1]`); ssh wants them bare. */
export function sshHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
