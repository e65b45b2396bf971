import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './fixtures.js';
import { PMT_BIN, type PmtRun } from './run-pmt.js';
import { freeLoopbackPort } from './free-port.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

/**
 * A real OpenSSH server for the ssh:// engine tests: loopback only, a random port, key-only login
 * as the current user (root: the engine's socket is root's), host key, authorized keys, pid file and
 * log in a directory the test owns. Logins run `docker system dial-stdio` against this machine's
 * engine, so the "remote" engine is the local one reached through ssh.
 */
export interface TestSshd {
  readonly port: number;
  readonly pid: number;
  /** `ssh-ed25519 AAAA…` of the server's host key. */
  readonly hostKey: string;
  /** Logins the server has accepted so far (from its log). */
  acceptedLogins(): number;
  /** Pids of the per-connection sshd processes still running. */
  sessionPids(): number[];
  stop(): Promise<void>;
}

/** Installs the OpenSSH client and server when missing (scripts/setup-sshd.sh, idempotent). */
export async function ensureOpenSsh(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the ssh:// engine tests need root: sshd logs in as the engine socket\'s owner, and pmt runs in a mount namespace with a test home');
  try {
    await run('bash', [join(REPO_ROOT, 'scripts', 'setup-sshd.sh')]);
  } catch (error) {
    throw new Error(`scripts/setup-sshd.sh failed: ${(error as { stderr?: string }).stderr || String(error)}`);
  }
}

/** An ed25519 key pair without passphrase at `path` (and `path.pub`); returns the public key line. */
export async function makeKey(path: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pmt-test', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
}

export async function startSshd(dir: string, authorizedKey: string): Promise<TestSshd> {
  const hostKey = await makeKey(join(dir, 'host_key'));
  await writeFile(join(dir, 'authorized_keys'), `${authorizedKey}\n`);
  // sshd refuses to start without its privilege separation directory (made at boot by systemd).
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const config = join(dir, 'sshd_config');
    await writeFile(config, sshdConfig(dir, port));
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => void (text += chunk.toString('utf8')));
    const ready = await waitForBanner(port, child);
    if (ready) {
      return {
        port,
        pid: child.pid!,
        hostKey,
        acceptedLogins: () => text.split('\n').filter((line) => line.startsWith('Accepted publickey')).length,
        sessionPids: () => childrenOf(child.pid!),
        stop: () => stopProcess(child),
      };
    }
    await stopProcess(child);
    if (attempt === 3) throw new Error(`sshd did not start on 127.0.0.1:${port}:\n${text}`);
  }
}

function sshdConfig(dir: string, port: number): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `AllowUsers ${userInfo().username}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    // The test dir lies under /tmp (world-writable), which StrictModes would reject.
    'StrictModes no',
    'UsePAM no',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** An ssh-agent holding the given private key, for the tests that log in through the agent. */
export async function startSshAgent(dir: string, privateKey: string): Promise<{ socket: string; stop: () => Promise<void> }> {
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let waited = 0; !existsSync(socket); waited += 50) {
    if (waited > 10_000 || child.exitCode !== null) throw new Error('ssh-agent did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await run('ssh-add', ['-q', privateKey], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  return { socket, stop: () => stopProcess(child) };
}

/**
 * Runs the built pmt with `home` mounted over the user's real home directory (in a mount namespace
 * of its own), so OpenSSH — which finds ~/.ssh through the password database, not $HOME — reads the
 * test's ~/.ssh/config, known_hosts and keys, and the user's real ones stay untouched.
 */
export async function runPmtWithHome(home: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<PmtRun> {
  const script = 'mount --bind "$0" "$1" && shift && exec "$@"';
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, home, userInfo().homedir, process.execPath, PMT_BIN, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child);
}

function collect(child: ChildProcess): Promise<PmtRun> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

/** True once the server greets with its SSH banner; false if sshd exits first (e.g. the port was taken). */
async function waitForBanner(port: number, child: ChildProcess): Promise<boolean> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (child.exitCode !== null) return false;
    const banner = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (data: Buffer) => {
        socket.destroy();
        resolve(data.toString('latin1'));
      });
      socket.once('error', () => resolve(''));
    });
    if (banner.startsWith('SSH-2.0-')) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Pids whose parent is `pid` (sshd's per-connection processes), from /proc. */
function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** SIGTERM to the process and the sessions it spawned (by pid), then waits for it to exit. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const sessions = childrenOf(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  for (const pid of sessions) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  await exited;
}
