import type { ProgressEvent } from '../../engine/progress-event.js';
import type { ProgressView } from './progress-view.js';
import { regionFrame, rowsAfterResize } from './region-frame.js';

/** A terminal stream: process.stderr, or a fake in tests. `resize` events come with new `columns`. */
export type TerminalStream = NodeJS.WritableStream & { columns?: number; rows?: number };

export interface LiveProgressOptions {
  readonly stream: TerminalStream;
  readonly view: ProgressView;
  /** How often running timers are redrawn. */
  readonly tickMs?: number;
}

const DEFAULT_COLUMNS = 80;

/**
 * The lines of a ProgressView kept at the bottom of a terminal, redrawn on every event and timer
 * tick. Everything else meant for the same terminal goes through `write`, which prints it above
 * the region; so log lines and progress never mix. After `stop` the last state stays on screen
 * (the only account of the run left when stdout is redirected) and `write` passes through.
 */
export class LiveProgress {
  readonly #stream: TerminalStream;
  readonly #view: ProgressView;
  readonly #timer: NodeJS.Timeout;
  readonly #onResize = (): void => this.#resized();
  /** The lines drawn last and how many terminal rows they take now. */
  #drawn: readonly string[] = [];
  #rowsOnScreen = 0;
  /** Text written without its final newline yet: held so the region never lands mid-line. */
  #partialLine = '';
  #stopped = false;

  constructor(options: LiveProgressOptions) {
    this.#stream = options.stream;
    this.#view = options.view;
    this.#timer = setInterval(() => this.#draw(''), options.tickMs ?? 100);
    // The ticker alone must not keep the process alive once the run is over.
    this.#timer.unref();
    this.#stream.on('resize', this.#onResize);
  }

  update(event: ProgressEvent): void {
    this.#view.apply(event);
    this.#draw('');
  }

  /** Text for the terminal above the region, typically log lines. */
  write(text: string): void {
    if (this.#stopped) {
      this.#stream.write(text);
      return;
    }
    const buffered = this.#partialLine + text;
    const end = buffered.lastIndexOf('\n') + 1;
    this.#partialLine = buffered.slice(end);
    if (end > 0) this.#draw(buffered.slice(0, end));
  }

  /** Draws the final state and lets go of the terminal; idempotent. */
  stop(): void {
    if (this.#stopped) return;
    clearInterval(this.#timer);
    this.#stream.off('resize', this.#onResize);
    const pending = this.#partialLine ? `${this.#partialLine}\n` : '';
    this.#partialLine = '';
    this.#draw(pending, true);
    this.#stopped = true;
  }

  #resized(): void {
    this.#rowsOnScreen = rowsAfterResize(this.#drawn, this.#columns());
    this.#draw('', true);
  }

  #draw(logText: string, force = false): void {
    if (this.#stopped) return;
    const rows = this.#stream.rows;
    // One row stays free for the cursor, so the region never scrolls its own first line away.
    const lines = this.#view.lines(this.#columns() - 1, rows ? Math.max(1, rows - 1) : undefined);
    if (!force && logText === '' && sameLines(lines, this.#drawn)) return;
    this.#stream.write(regionFrame(this.#rowsOnScreen, logText, lines));
    this.#drawn = lines;
    this.#rowsOnScreen = lines.length;
  }

  /** A terminal that reports 0 columns (under `script`, some CI log viewers) counts as 80 wide. */
  #columns(): number {
    return Math.max(2, this.#stream.columns || DEFAULT_COLUMNS);
  }
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
