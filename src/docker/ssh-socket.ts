import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';
import { BoundedText } from './bounded-text.js';
import { sshArguments, type SshDestination } from './ssh-command.js';
import { describeSshFailure, SshConnectionError } from './ssh-failure.js';

const STDERR_LIMIT_BYTES = 16 * 1024;

/**
 * One connection to the engine: the stdin/stdout of `ssh … docker system dial-stdio`, as a socket
 * for Node's http client (which needs the few socket methods below besides the stream). Writing
 * ends half-closes (ssh sends EOF, as a TCP half-close would); destroying it ends the ssh process.
 * When ssh fails, the stream is destroyed with an SshConnectionError that says why — a refused host
 * key, a refused login, a missing docker CLI — read from ssh's stderr.
 *
 * ssh runs in a session of its own (no controlling terminal): a Ctrl-C on pmt's terminal then
 * reaches pmt only, which still needs its connections to remove the run's containers. If pmt dies,
 * ssh reads EOF on stdin and ends the remote side too.
 */
export class SshSocket extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly stderr = new BoundedText(STDERR_LIMIT_BYTES);
  private idleTimer: NodeJS.Timeout | undefined;
  /** Idle time before a 'timeout' event, as net.Socket#setTimeout; 0 = none. */
  timeout = 0;

  constructor(destination: SshDestination, env: NodeJS.ProcessEnv) {
    super({ allowHalfOpen: true });
    this.child = spawn('ssh', sshArguments(destination), { env, detached: true, stdio: 'pipe' });
    const { child } = this;
    child.stdout.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => this.stderr.append(chunk));
    // A write after ssh ended fails with EPIPE; what ssh said, on 'close', is the better error.
    child.stdin.on('error', () => undefined);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT';
      this.destroy(
        new SshConnectionError(
          missing ? 'ssh:// engines need the OpenSSH client, and `ssh` is not on PATH' : `could not start ssh: ${error.message}`,
          missing ? 'install it (Debian: apt-get install openssh-client)' : 'check that `ssh -V` works from this shell',
        ),
      );
    });
    child.once('close', (exitCode, signal) => {
      if (this.destroyed) return;
      if (exitCode === 0) {
        this.push(null);
        return;
      }
      const failure = describeSshFailure({ destination, stderr: this.stderr.text(), exitCode, signal });
      this.destroy(new SshConnectionError(failure.message, failure.hint));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    if (this.child.stdin.write(chunk)) callback();
    else this.child.stdin.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    callback(error);
  }

  // The parts of net.Socket that Node's http client and keep-alive agent call.

  /** As net.Socket's: 0 turns the timer off and removes the listener given with it. */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.timeout = ms;
    if (onTimeout) {
      if (ms === 0) this.removeListener('timeout', onTimeout);
      else this.once('timeout', onTimeout);
    }
    this.touch();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  /** An idle pooled connection must not keep pmt running. */
  unref(): this {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    return this;
  }

  ref(): this {
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { ref?: () => void }).ref?.();
    return this;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.timeout <= 0 || this.destroyed) return;
    this.idleTimer = setTimeout(() => this.emit('timeout'), this.timeout);
    this.idleTimer.unref();
  }
}
