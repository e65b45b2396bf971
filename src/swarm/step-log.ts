import { BoundedText, COMMAND_OUTPUT_LIMIT_BYTES } from '../docker/bounded-text.js';
import { MARKER_PREFIX, MAX_MARKER_LENGTH, parseMarker, type StepMarker, type TaskStep } from './step-marker.js';

export type LogStream = 'stdout' | 'stderr';

/** One step of a swarm task as its log showed it. */
export interface StepReport {
  readonly step: TaskStep;
  readonly stdout: string;
  readonly stderr: string;
  /** Undefined when the log ended before the step's end marker (the task was stopped or died). */
  readonly exitCode: number | undefined;
  /** When its begin and end markers arrived (the end: when the log ended, without an end marker). */
  readonly startedAt: Date;
  readonly endedAt: Date;
}

interface OpenStep {
  readonly step: TaskStep;
  readonly startedAt: Date;
  readonly out: Record<LogStream, BoundedText>;
  readonly ended: Partial<Record<LogStream, number>>;
}

/** Per stream: where in a line the parser is, and the line break it holds back. */
interface StreamState {
  /** The start of the current line while it may still be a marker; undefined once it cannot. */
  lineStart: string | undefined;
  /** A line break seen but not yet given out: the one before a marker belongs to the marker. */
  heldBreak: boolean;
  /** The step this stream is in (its begin marker came, its end marker not yet). */
  current: OpenStep | undefined;
}

/**
 * Splits a swarm task's service log, fed as chunks in arrival order, into its steps. A marker is a
 * whole line with this task's nonce, printed after a line break of its own (dropped again), so the
 * steps' output comes out byte for byte. A line that only looks like a marker (another nonce, an
 * unknown step) is output. Memory is bounded: each step keeps at most `limitBytes` per stream (the
 * local agent's limit), a line is held back only while it can still be a marker (MAX_MARKER_LENGTH).
 */
export class StepLogParser {
  readonly #streams: Record<LogStream, StreamState> = {
    stdout: { lineStart: '', heldBreak: false, current: undefined },
    stderr: { lineStart: '', heldBreak: false, current: undefined },
  };
  readonly #steps = new Map<TaskStep, OpenStep>();
  /** Output outside any step (the lease watchdog's last words, a shell's complaint). */
  readonly #outside: Record<LogStream, BoundedText>;

  constructor(
    private readonly nonce: string,
    private readonly now: () => Date = () => new Date(),
    private readonly limitBytes = COMMAND_OUTPUT_LIMIT_BYTES,
  ) {
    this.#outside = { stdout: new BoundedText(limitBytes), stderr: new BoundedText(limitBytes) };
  }

  /** Feeds one chunk; returns the steps that ended with it (both streams saw their end marker). */
  push(chunk: { readonly stream: LogStream; readonly text: string }): StepReport[] {
    const finished: StepReport[] = [];
    const state = this.#streams[chunk.stream];
    let text = chunk.text;
    while (text.length > 0) {
      const lineEnd = text.indexOf('\n');
      const piece = lineEnd < 0 ? text : text.slice(0, lineEnd);
      if (state.lineStart !== undefined) {
        const candidate = state.lineStart + piece;
        if (mayBeMarker(candidate)) {
          if (lineEnd < 0) {
            state.lineStart = candidate;
            return finished;
          }
          const marker = parseMarker(candidate, this.nonce);
          if (marker) {
            state.heldBreak = false;
            const done = this.#mark(chunk.stream, marker);
            if (done) finished.push(done);
          } else {
            this.#emit(chunk.stream, candidate);
            state.heldBreak = true;
          }
          state.lineStart = '';
          text = text.slice(lineEnd + 1);
          continue;
        }
        this.#emit(chunk.stream, candidate);
        state.lineStart = undefined;
        text = text.slice(piece.length);
        continue;
      }
      this.#emit(chunk.stream, piece);
      if (lineEnd < 0) return finished;
      state.heldBreak = true;
      state.lineStart = '';
      text = text.slice(lineEnd + 1);
    }
    return finished;
  }

  /**
   * The log ended: the steps still open, each without an exit code (its end marker is missing),
   * and what was printed outside every step.
   */
  end(): { unfinished: StepReport[]; outside: Record<LogStream, string> } {
    for (const stream of ['stdout', 'stderr'] as const) {
      const state = this.#streams[stream];
      if (state.lineStart) this.#emit(stream, state.lineStart);
      if (state.heldBreak) this.#emit(stream, '');
      state.lineStart = '';
    }
    const endedAt = this.now();
    const unfinished = [...this.#steps.values()].map((open) => report(open, undefined, endedAt));
    this.#steps.clear();
    return { unfinished, outside: { stdout: this.#outside.stdout.text(), stderr: this.#outside.stderr.text() } };
  }

  /** Text of a line (without its break): the held break goes out before it. */
  #emit(stream: LogStream, text: string): void {
    const state = this.#streams[stream];
    const sink = state.current?.out[stream] ?? this.#outside[stream];
    const out = state.heldBreak ? `\n${text}` : text;
    state.heldBreak = false;
    if (out.length > 0) sink.append(Buffer.from(out, 'utf8'));
  }

  #mark(stream: LogStream, marker: StepMarker): StepReport | undefined {
    const state = this.#streams[stream];
    if (marker.kind === 'begin') {
      let open = this.#steps.get(marker.step);
      if (!open) {
        open = { step: marker.step, startedAt: this.now(), out: { stdout: new BoundedText(this.limitBytes), stderr: new BoundedText(this.limitBytes) }, ended: {} };
        this.#steps.set(marker.step, open);
      }
      state.current = open;
      return undefined;
    }
    const open = state.current;
    if (!open || open.step !== marker.step) return undefined;
    open.ended[stream] = marker.exitCode;
    state.current = undefined;
    if (open.ended.stdout === undefined || open.ended.stderr === undefined) return undefined;
    this.#steps.delete(open.step);
    return report(open, open.ended.stdout, this.now());
  }
}

/** Whether a line starting like this can still turn out to be a marker. */
function mayBeMarker(start: string): boolean {
  if (start.length > MAX_MARKER_LENGTH) return false;
  return start.length <= MARKER_PREFIX.length ? MARKER_PREFIX.startsWith(start) : start.startsWith(MARKER_PREFIX);
}

function report(open: OpenStep, exitCode: number | undefined, endedAt: Date): StepReport {
  return { step: open.step, stdout: open.out.stdout.text(), stderr: open.out.stderr.text(), exitCode, startedAt: open.startedAt, endedAt };
}
