import { randomBytes } from 'node:crypto';
import type { Duplex, Writable } from 'node:stream';
import { BoundedText, COMMAND_OUTPUT_LIMIT_BYTES } from './bounded-text.js';
import { chunkSink } from './chunk-sink.js';
import { ExecAborted, type ExecResult, type MainShellOptions } from './container-runtime.js';

/** Enough of a stream's latest bytes to hold its end-of-command line. */
const WINDOW_CHARS = 256;

/** Why the main shell takes no more commands. */
export type MainShellEnd = 'ended' | 'connection failed' | 'cut short' | 'closed';

/** A command could not run, or not to its end, because the main shell is gone or unusable. */
export class MainShellGone extends Error {
  constructor(
    readonly end: MainShellEnd,
    readonly reason: string,
    /** The last output of the shell, if any came. */
    readonly said: string,
  ) {
    super(said ? `${reason}; it said: ${said}` : reason);
  }
}

/** Splits the engine's multiplexed attach stream into stdout and stderr (dockerode's demuxStream). */
export type Demux = (stream: Duplex, stdout: Writable, stderr: Writable) => void;

/**
 * The container's main process — the plugin's shell, kept alive by an open stdin — executing the
 * agent's commands one by one: each is written to its stdin as a quoted argument vector and runs
 * as a child of it. An engine exec would set up a new process in the container's namespaces for
 * every command (a runc exec: 25–40 ms here, and engine CPU that parallel plugins compete for); a
 * line on the shell's stdin costs a fork. Each command reads /dev/null (it cannot swallow the next
 * one) and is followed by an end line with its exit status on stdout and one on stderr, carrying
 * a random tag no output can guess; they delimit its output in the attach stream, where the
 * engine keeps stdout and stderr apart.
 */
export class MainShell {
  private readonly tag = `pmt-end-${randomBytes(16).toString('hex')}`;
  private current: PendingCommand | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the shell can take no more commands. */
  private unusable: { end: MainShellEnd; reason: string } | undefined;

  constructor(
    private readonly stream: Duplex,
    demux: Demux,
  ) {
    // Chunks are handled as written, so all output is seen before the stream's end is.
    demux(
      stream,
      chunkSink((chunk) => this.current?.append('stdout', chunk)),
      chunkSink((chunk) => this.current?.append('stderr', chunk)),
    );
    const ended = (): void => this.fail('ended', "the container's main shell ended");
    stream.once('end', ended);
    stream.once('close', ended);
    stream.once('error', (error: Error) => this.fail('connection failed', `the connection to the container's main shell failed: ${error.message}`));
  }

  /** Runs `command` (an argument vector, quoted for the shell) and returns its output and exit status. */
  run(command: readonly string[], options: MainShellOptions = {}): Promise<ExecResult> {
    const next = this.queue.then(() => this.runNow(command, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Lets go of the attach connection; the shell itself lives until the container is removed. */
  close(): void {
    this.unusable ??= { end: 'closed', reason: 'the main shell was closed' };
    this.stream.destroy();
  }

  private runNow(command: readonly string[], { signal }: MainShellOptions): Promise<ExecResult> {
    signal?.throwIfAborted();
    if (this.unusable) return Promise.reject(new MainShellGone(this.unusable.end, this.unusable.reason, ''));
    return new Promise<ExecResult>((resolve, reject) => {
      const onAbort = (): void => {
        const partial = this.current?.partial() ?? { stdout: '', stderr: '' };
        this.current = undefined;
        // The command may still run; its output must not be taken for the next one's.
        this.unusable = { end: 'cut short', reason: 'a command in the main shell was cut short' };
        reject(new ExecAborted(signal?.reason, partial));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.current = new PendingCommand(this.tag, {
        done: (result) => {
          signal?.removeEventListener('abort', onAbort);
          this.current = undefined;
          resolve(result);
        },
        failed: (error) => {
          signal?.removeEventListener('abort', onAbort);
          this.current = undefined;
          reject(error);
        },
      });
      const tag = this.tag;
      this.stream.write(`${command.map(quote).join(' ')} </dev/null; pmt_status=$?; echo; echo "${tag} $pmt_status"; echo >&2; echo ${tag} >&2\n`);
    });
  }

  private fail(end: MainShellEnd, reason: string): void {
    this.unusable ??= { end, reason };
    this.current?.fail(end, reason);
  }
}

/** One command's output on both streams until both end lines have arrived. */
class PendingCommand {
  private readonly kept = { stdout: new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES), stderr: new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES) };
  private readonly window = { stdout: '', stderr: '' };
  private exitCode: number | undefined;
  private stderrEnded = false;
  private readonly stdoutEnd: RegExp;
  private readonly stderrEnd: RegExp;

  constructor(
    private readonly tag: string,
    private readonly settle: { done: (result: ExecResult) => void; failed: (error: MainShellGone) => void },
  ) {
    this.stdoutEnd = new RegExp(`\\n${tag} (\\d+)\\n`);
    this.stderrEnd = new RegExp(`\\n${tag}\\n`);
  }

  append(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.kept[stream].append(chunk);
    // The tag is ASCII: latin1 maps bytes 1:1, so a character split across chunks cannot hide it.
    const window = (this.window[stream] + chunk.toString('latin1')).slice(-WINDOW_CHARS);
    this.window[stream] = window;
    if (stream === 'stdout' && this.exitCode === undefined) {
      const end = this.stdoutEnd.exec(window);
      if (end) this.exitCode = Number(end[1]);
    }
    if (stream === 'stderr' && this.stderrEnded === false) this.stderrEnded = this.stderrEnd.test(window);
    if (this.exitCode !== undefined && this.stderrEnded) {
      this.settle.done({ stdout: this.text('stdout'), stderr: this.text('stderr'), exitCode: this.exitCode });
    }
  }

  partial(): { stdout: string; stderr: string } {
    return { stdout: this.text('stdout'), stderr: this.text('stderr') };
  }

  fail(end: MainShellEnd, reason: string): void {
    const { stdout, stderr } = this.partial();
    this.settle.failed(new MainShellGone(end, reason, (stderr.trim() || stdout.trim()).slice(-500)));
  }

  /** The stream's text without the end line and the newline pmt printed before it. */
  private text(stream: 'stdout' | 'stderr'): string {
    const text = this.kept[stream].text();
    const end = text.lastIndexOf(`\n${this.tag}`);
    return end >= 0 ? text.slice(0, end) : text;
  }
}

/** POSIX single quotes take everything literally but `'` itself, which is closed, escaped and reopened. */
function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
