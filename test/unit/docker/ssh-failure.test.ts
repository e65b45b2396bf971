import { describe, expect, it } from 'vitest';
import { sshArguments, sshCommandLine, sshUrl, type SshDestination } from '../../../src/docker/ssh-command.js';
import { describeSshFailure } from '../../../src/docker/ssh-failure.js';

const box: SshDestination = { hostname: '127.0.0.1', port: 50891, username: 'root' };
const alias: SshDestination = { hostname: 'build-box', port: undefined, username: undefined };
const fail = (stderr: string, exitCode: number | null = 255, destination = box) => describeSshFailure({ destination, stderr, exitCode, signal: null });

// What OpenSSH 9.2 wrote on these machines (CRs included).
const CHANGED = [
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
  'The fingerprint for the ED25519 key sent by the remote host is\nSHA256:2vGGQ7sW4yd9Ill0oD3YCwPrKbFehIvlqW8qYxiMXm8.',
  'Please contact your system administrator.',
  'Add correct host key in /root/.ssh/known_hosts to get rid of this message.',
  'Offending ED25519 key in /root/.ssh/known_hosts:3',
  '  remove with:',
  '  ssh-keygen -f "/root/.ssh/known_hosts" -R "[127.0.0.1]:50891"',
  'Host key for [127.0.0.1]:50891 has changed and you have requested strict checking.',
  'Host key verification failed.',
  '',
].join('\r\n');

describe('sshArguments', () => {
  it('builds the docker CLI\'s command line, never prompting, with -- before the host', () => {
    expect(sshArguments(box)).toEqual(['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T', '-l', 'root', '-p', '50891', '--', '127.0.0.1', 'docker', 'system', 'dial-stdio']);
    expect(sshArguments(alias)).toEqual(['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T', '--', 'build-box', 'docker', 'system', 'dial-stdio']);
    expect(sshArguments({ hostname: '[::1]', port: undefined, username: '-oProxyCommand=x' })).toEqual(['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T', '-l', '-oProxyCommand=x', '--', '::1', 'docker', 'system', 'dial-stdio']);
  });

  it('names the destination as the user wrote it', () => {
    expect(sshUrl(box)).toBe('ssh://root@127.0.0.1:50891');
    expect(sshUrl(alias)).toBe('ssh://build-box');
    expect(sshCommandLine(box)).toBe('ssh -p 50891 root@127.0.0.1');
    expect(sshCommandLine(alias)).toBe('ssh build-box');
  });
});

describe('describeSshFailure', () => {
  it('a changed host key: says it changed, where it was recorded, and how to replace it after checking', () => {
    const { message, hint } = fail(CHANGED);
    expect(message).toBe(
      'ssh refused ssh://root@127.0.0.1:50891: the host key of [127.0.0.1]:50891 has CHANGED since it was recorded in /root/.ssh/known_hosts:3 — someone may be intercepting the connection; nothing was sent to the engine',
    );
    expect(hint).toBe(
      "if the host's key really changed, confirm its new fingerprint (SHA256:2vGGQ7sW4yd9Ill0oD3YCwPrKbFehIvlqW8qYxiMXm8) with the host's administrator, then replace the old entry: `ssh-keygen -R '[127.0.0.1]:50891'` and `ssh-keyscan -p 50891 127.0.0.1 >> ~/.ssh/known_hosts`",
    );
  });

  it('an unknown host key (BatchMode, or StrictHostKeyChecking=yes): not in known_hosts, how to record it', () => {
    expect(fail('Host key verification failed.\r\n').message).toBe(
      'ssh refused ssh://root@127.0.0.1:50891: the host key of [127.0.0.1]:50891 is not in known_hosts, and pmt never asks to accept one (ssh runs with BatchMode=yes); nothing was sent to the engine',
    );
    expect(fail('Host key verification failed.\r\n').hint).toContain('connect once with `ssh -p 50891 root@127.0.0.1` and accept it, or `ssh-keyscan -p 50891 127.0.0.1 >> ~/.ssh/known_hosts`');
    const strict = fail('No ED25519 host key is known for build-box.example and you have requested strict checking.\r\nHost key verification failed.\r\n', 255, alias);
    expect(strict.message).toContain('the host key of build-box.example is not in known_hosts');
    expect(fail('@@@ WARNING: REVOKED HOST KEY DETECTED! @@@\r\nHost key verification failed.\r\n').message).toContain('marked as revoked');
  });

  it('a refused login, a host without docker, an engine that is down, an unreachable host', () => {
    expect(fail('root@127.0.0.1: Permission denied (publickey).\r\n')).toMatchObject({
      message: 'ssh could not log in to ssh://root@127.0.0.1:50891: Permission denied (publickey)',
      hint: expect.stringContaining('BatchMode=yes, so it cannot ask for a passphrase'),
    });
    expect(fail('bash: line 1: docker: command not found\n', 127).message).toBe('the docker CLI was not found on the host of ssh://root@127.0.0.1:50891 (bash: line 1: docker: command not found)');
    expect(fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n', 1).message).toMatch(/^no Docker engine answers on the host of ssh:\/\/root@127\.0\.0\.1:50891 \(Cannot connect/);
    expect(fail('ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n', 255, { ...box, port: 1 }).message).toBe('ssh could not reach ssh://root@127.0.0.1:1: connect to host 127.0.0.1 port 1: Connection refused');
    expect(fail('ssh: Could not resolve hostname build-box: Name or service not known\r\n', 255, alias).message).toBe('ssh could not reach ssh://build-box: Could not resolve hostname build-box: Name or service not known');
    expect(fail('kex_exchange_identification: Connection closed by remote host\r\nConnection closed by 127.0.0.1 port 50891\r\n').message).toBe('ssh could not reach ssh://root@127.0.0.1:50891: kex_exchange_identification: Connection closed by remote host');
  });

  it('anything else: the exit code and ssh\'s last line, with control characters from the remote shown escaped', () => {
    const other = fail('remote says \u001b[2K\u001b]0;owned\u0007 hello\n', 3);
    expect(other.message).toBe('ssh to ssh://root@127.0.0.1:50891 ended (exit code 3): remote says \\u001b[2K\\u001b]0;owned\\u0007 hello');
    expect(other.hint).toBe('run `ssh -p 50891 root@127.0.0.1 docker system dial-stdio` to see the whole error');
    expect(describeSshFailure({ destination: alias, stderr: '', exitCode: null, signal: 'SIGKILL' }).message).toBe('ssh to ssh://build-box ended (signal SIGKILL)');
  });
});
