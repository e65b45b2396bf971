import { randomBytes } from 'node:crypto';
import type { Duplex, Writable } from 'node:stream';
import { BoundedText, COMMAND_OUTPUT_LIMIT_BYTES } from './bounded-text.js';
import { chunkSink } from './chunk-sink.js';
import { ExecAborted, type ExecResult, type MainShellOptions } from './container-runtime.js';
import { OOM_FIRST } from './oom-first.js';

/** Enough of a stream's latest bytes to hold its end-of-command line. */
const WINDOW_CHARS = 256;

/**
 * How long a main process may take to answer pmt's first line. A POSIX shell answers it with two
 * builtins, in milliseconds even on a loaded machine; a program that is not a shell (perl, python,
 * cat) either echoes the line or waits for the end of its input, which never comes.
 */
export const FIRST_ANSWER_MS = 10_000;

/** Why the main shell takes no more commands. */
export type MainShellEnd = 'ended' | 'not a shell' | 'connection failed' | 'cut short' | 'closed';

/** A command could not run, or not to its end, because the main shell is gone or unusable. */
export class MainShellGone extends Error {
  constructor(
    readonly end: MainShellEnd,
    readonly reason: string,
    /** The last output of the command that was running (never of earlier ones), if any came. */
    readonly said: string,
    readonly details: {
      /** Whether the shell had answered any command before it went: else it never worked at all. */
      readonly answered?: boolean;
      /** The main process's exit status, when the engine told it. */
      readonly exitCode?: number;
      /** All the running command had printed. */
      readonly partial?: { readonly stdout: string; readonly stderr: string };
      /**
       * Set when the engine says the container was killed or removed through its API (docker kill,
       * docker stop, docker rm -f): then no command of the plugin's is to blame.
       */
      readonly fromOutside?: boolean;
    } = {},
  ) {
    super(said ? `${reason}; it said: ${said}` : reason);
  }

  get answered(): boolean {
    return this.details.answered ?? false;
  }

  get partial(): { readonly stdout: string; readonly stderr: string } {
    return this.details.partial ?? { stdout: '', stderr: '' };
  }
}

/** Splits the engine's multiplexed attach stream into stdout and stderr (dockerode's demuxStream). */
export type Demux = (stream: Duplex, stdout: Writable, stderr: Writable) => void;

/**
 * The container's main process — the plugin's shell, reading pmt's attach connection — executing the
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
  /** The first command, written right behind pmt's first line: it takes the output after that line's answer. */
  private following: PendingCommand | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the shell can take no more commands. */
  private unusable: { end: MainShellEnd; reason: string } | undefined;
  /** Whether the main process has answered a line as a POSIX shell does. */
  private answered = false;
  /** Commands given to `run` that have not settled: queued or running. */
  private pending = 0;
  /** pmt's first line, written ahead by `greet`, until the first command waits for its answer. */
  private greeting: { answer: Promise<ExecResult>; arm: () => void; abort: (reason: unknown) => void } | undefined;

  constructor(
    private readonly stream: Duplex,
    demux: Demux,
    /** The main process as the user named it, for messages (the entry's `shell`). */
    readonly program = 'the main process',
    private readonly firstAnswerMs = FIRST_ANSWER_MS,
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
    const greeting = this.greeting;
    const next =
      greeting && this.pending === 0 && this.current && !this.unusable
        ? this.runBehind(greeting, command, options)
        : this.queue.then(async () => {
            // The first line proves the main process speaks the protocol (a builtin only, so it is quick).
            if (!this.answered) await this.firstAnswer(options);
            return this.runNow(command, options);
          });
    this.pending++;
    // Counted down before the caller hears of the outcome: one who then finishes finds the shell idle.
    const settled = (): void => void this.pending--;
    next.then(settled, settled);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Writes pmt's first line now — before the container starts, as `docker run -i` may write its
   * stdin — so that the answer proving the main process a shell is in when the first command comes
   * instead of costing it a round trip. How long the answer may take still counts from that command.
   */
  greet(): void {
    if (this.greeting || this.answered || this.unusable) return;
    const cut = new AbortController();
    let arm = (): void => undefined;
    const answer = this.runNow([':'], { signal: cut.signal, firstAnswer: true, armLater: (start) => (arm = start) });
    answer.catch(() => undefined); // the first command gets the failure; there may be none
    this.greeting = { answer, arm: () => arm(), abort: (reason) => cut.abort(reason) };
  }

  /**
   * The first command, while pmt's first line (written by `greet`) waits for its answer: written at
   * once, so that a shell starting now reads both and answers both, a round trip sooner. Only behind
   * that line: it runs no watcher (see commandLine) that could read the command. The command's
   * answer counts only once the first line's has come; a first line that fails fails it too.
   */
  private runBehind(greeting: NonNullable<MainShell['greeting']>, command: readonly string[], options: MainShellOptions): Promise<ExecResult> {
    this.greeting = undefined;
    void this.awaitGreeting(greeting, options.signal).catch(() => undefined); // its failure fails the command too (see fail)
    // A microtask later, so that an already aborted signal rejects the promise rather than throwing from run.
    return Promise.resolve().then(() => this.runNow(command, { ...options, behind: true }));
  }

  /**
   * Starts the first line's silence timer and resolves with its answer; `signal` cuts the wait short,
   * taking the timer with it. The listener goes once the answer is in.
   */
  private awaitGreeting(greeting: NonNullable<MainShell['greeting']>, signal: AbortSignal | undefined): Promise<ExecResult> {
    greeting.arm();
    const onAbort = (): void => greeting.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const forget = (): void => signal?.removeEventListener('abort', onAbort);
    greeting.answer.then(forget, forget);
    return greeting.answer;
  }

  /** Waits for the answer to pmt's first line (written now unless `greet` wrote it), cut short by `signal`. */
  private async firstAnswer({ signal }: MainShellOptions): Promise<void> {
    const greeting = this.greeting;
    this.greeting = undefined;
    if (!greeting) {
      await this.runNow([':'], { signal, firstAnswer: true });
      return;
    }
    signal?.throwIfAborted();
    await this.awaitGreeting(greeting, signal);
  }

  /**
   * Ends the shell's input when it is idle — no command queued or running, pmt's first line
   * answered: the shell then exits by itself, and with it the container. Returns false, having let
   * go of the connection (close), when it is not idle or cannot take commands any more.
   */
  finish(): boolean {
    if (this.pending > 0 || this.current || this.unusable) {
      this.close();
      return false;
    }
    this.unusable = { end: 'closed', reason: 'the main shell was closed' };
    this.stream.end();
    return true;
  }

  /** Lets go of the attach connection, which ends the shell and with it the container (see commandLine). */
  close(): void {
    this.unusable ??= { end: 'closed', reason: 'the main shell was closed' };
    this.stream.destroy();
  }

  /** `armLater`: the first answer's silence timer starts when the given function is called, not now. */
  private runNow(
    command: readonly string[],
    { signal, firstAnswer = false, armLater, behind = false }: MainShellOptions & { firstAnswer?: boolean; armLater?: (arm: () => void) => void; behind?: boolean },
  ): Promise<ExecResult> {
    signal?.throwIfAborted();
    if (this.unusable) return Promise.reject(new MainShellGone(this.unusable.end, this.unusable.reason, '', { answered: this.answered }));
    // The first line is a builtin that answers at once: it needs no watcher, and stays plain so a
    // program that is not a shell (perl) waits silently instead of failing on shell syntax.
    const line = commandLine(command, this.tag, { watch: !firstAnswer });
    return new Promise<ExecResult>((resolve, reject) => {
      const notAShell = `${this.program} is not a POSIX shell: pmt writes shell commands to it`;
      let settled = false;
      let silence: NodeJS.Timeout | undefined;
      const arm = (): void => {
        if (settled || silence) return;
        silence = setTimeout(() => this.fail('not a shell', `${notAShell}, and it did not answer the first one within ${this.firstAnswerMs / 1000}s`), this.firstAnswerMs);
      };
      if (firstAnswer) (armLater ?? ((start) => start()))(arm);
      const onAbort = (): void => {
        settled = true;
        clearTimeout(silence);
        const partial = pending.partial();
        this.over(pending);
        // The command may still run; its output must not be taken for the next one's.
        this.unusable = { end: 'cut short', reason: 'a command in the main shell was cut short' };
        reject(new ExecAborted(signal?.reason, partial));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const pending: PendingCommand = new PendingCommand(this.tag, {
        done: (result, after) => {
          settled = true;
          clearTimeout(silence);
          signal?.removeEventListener('abort', onAbort);
          this.answered = true;
          this.over(pending, after);
          resolve(result);
        },
        failed: (error) => {
          settled = true;
          clearTimeout(silence);
          signal?.removeEventListener('abort', onAbort);
          this.over(pending);
          reject(error);
        },
        // A program that copies its input to its output (cat, tee) prints pmt's own line back.
        echoed: firstAnswer ? (): void => this.fail('not a shell', `${notAShell}, and it printed them back instead of running them`) : undefined,
        answered: () => this.answered,
      });
      if (behind) this.following = pending;
      else this.current = pending;
      this.stream.write(line);
    });
  }

  /**
   * `pending` has settled. The command written behind it, if any, takes over the output, starting
   * with what followed `pending`'s end lines (`after`); else that is stray output, and dropped.
   */
  private over(pending: PendingCommand, after?: StreamTexts): void {
    if (this.following === pending) {
      this.following = undefined;
      return;
    }
    if (this.current !== pending) return;
    this.current = this.following;
    this.following = undefined;
    if (this.current && after) {
      this.current.append('stdout', after.stdout);
      this.current.append('stderr', after.stderr);
    }
  }

  /** The shell takes no more; what waits fails with the first reason (pmt's own close, if it came first). */
  private fail(end: MainShellEnd, reason: string): void {
    this.unusable ??= { end, reason };
    const { current, following, unusable } = this;
    current?.fail(unusable.end, unusable.reason);
    following?.fail(unusable.end, unusable.reason);
  }
}

/** Output of both streams, as it came. */
interface StreamTexts {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** One command's output on both streams until both end lines have arrived. */
class PendingCommand {
  private readonly kept = { stdout: new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES), stderr: new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES) };
  private readonly window = { stdout: '', stderr: '' };
  private exitCode: number | undefined;
  private stderrEnded = false;
  private readonly stdoutEnd: RegExp;
  private readonly stderrEnd: RegExp;
  /** What came on a stream after its end line (bounded): the next command's, when one was written behind this one. */
  private readonly after = { stdout: new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES), stderr: new BoundedText(COMMAND_OUTPUT_LIMIT_BYTES) };

  constructor(
    private readonly tag: string,
    private readonly settle: {
      /** `after`: the output that followed the end lines. */
      done: (result: ExecResult, after: StreamTexts) => void;
      failed: (error: MainShellGone) => void;
      /** Called when pmt's own line comes back as output; only watched while it is set. */
      echoed: (() => void) | undefined;
      answered: () => boolean;
    },
  ) {
    this.stdoutEnd = new RegExp(`\\n${tag} (\\d+)\\n`);
    this.stderrEnd = new RegExp(`\\n${tag}\\n`);
  }

  append(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (stream === 'stdout' ? this.exitCode !== undefined : this.stderrEnded) {
      this.after[stream].append(chunk);
      return;
    }
    this.kept[stream].append(chunk);
    // The tag is ASCII: latin1 maps bytes 1:1, so a character split across chunks cannot hide it.
    // Searched whole, not only its last bytes: the next command's output may follow the end line
    // in the same chunk when that command was written behind this one.
    const seen = this.window[stream];
    const text = seen + chunk.toString('latin1');
    this.window[stream] = text.slice(-WINDOW_CHARS);
    if (this.settle.echoed && text.includes('pmt_status=$?')) {
      this.settle.echoed();
      return;
    }
    const end = (stream === 'stdout' ? this.stdoutEnd : this.stderrEnd).exec(text);
    if (end) {
      if (stream === 'stdout') this.exitCode = Number(end[1]);
      else this.stderrEnded = true;
      // What follows the end line in this chunk is not this command's.
      this.after[stream].append(chunk.subarray(end.index + end[0].length - seen.length));
    }
    if (this.exitCode !== undefined && this.stderrEnded) {
      this.settle.done(
        { stdout: this.text('stdout'), stderr: this.text('stderr'), exitCode: this.exitCode },
        { stdout: this.after.stdout.bytes(), stderr: this.after.stderr.bytes() },
      );
    }
  }

  partial(): { stdout: string; stderr: string } {
    return { stdout: this.text('stdout'), stderr: this.text('stderr') };
  }

  fail(end: MainShellEnd, reason: string): void {
    const partial = this.partial();
    const said = end === 'not a shell' ? '' : (partial.stderr.trim() || partial.stdout.trim()).slice(-500);
    this.settle.failed(new MainShellGone(end, reason, said, { answered: this.settle.answered(), partial }));
  }

  /** The stream's text without pmt's end line (nor anything after it, nor the newline before it). */
  private text(stream: 'stdout' | 'stderr'): string {
    const text = this.kept[stream].text();
    const end = text.indexOf(this.tag);
    if (end < 0) return text;
    return text.slice(0, text[end - 1] === '\n' ? end - 1 : end);
  }
}

/**
 * The line that runs one command. While it runs, the shell itself does not read stdin, so a
 * watcher does (fd 3, the shell's stdin, kept out of the command): pmt writes nothing until the
 * command's end lines, so what ends the watcher's read is the end of pmt's connection — pmt exited
 * or died — and the watcher then kills the shell, which ends the container (its init exits with
 * the shell, and the kernel kills what is left). The watcher is gone before the end lines are
 * printed, so it never reads the next command. An idle shell ends by itself at the end of stdin.
 */
export function commandLine(command: readonly string[], tag: string, { watch }: { watch: boolean }): string {
  const end = `echo; echo "${tag} $pmt_status"; echo >&2; echo ${tag} >&2\n`;
  if (!watch) return `${command.map(quote).join(' ')} </dev/null; pmt_status=$?; ${end}`;
  const watcher = `exec 3<&0; { IFS= read -r pmt_line; kill -9 $$; } <&3 & pmt_watcher=$!`;
  const run = `( ${OOM_FIRST}; ${command.map(quote).join(' ')} ) </dev/null 3<&-; pmt_status=$?`;
  const stopWatcher = `kill $pmt_watcher 2>/dev/null; wait $pmt_watcher 2>/dev/null`;
  return `${watcher}; ${run}; ${stopWatcher}; ${end}`;
}

/** POSIX single quotes take everything literally but `'` itself, which is closed, escaped and reopened. */
function quote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
