import { FINAL_PHASES, type ProgressEvent } from '../../engine/progress-event.js';
import { fitSegments } from './fit-segments.js';
import { formatProgressLine } from './format-progress-line.js';
import { advanceProgress, queuedProgress, type PluginProgress } from './plugin-progress.js';

export interface ProgressViewOptions {
  readonly color: boolean;
  /** A monotonic clock in milliseconds (performance.now in the CLI, a counter in tests). */
  readonly now: () => number;
  /** Plugins to show as queued before their first event, in this order. */
  readonly plugins?: readonly string[];
}

/** Names narrower than this still get this column, so the status column rarely moves. */
const MIN_NAME_WIDTH = 14;

/**
 * The lines describing every plugin of a run, from its progress events and a clock. No I/O: the
 * live region and the tests both call `lines()`.
 */
export class ProgressView {
  readonly #color: boolean;
  readonly #now: () => number;
  readonly #plugins = new Map<string, PluginProgress>();
  /** The clock's reading when the run started, learnt from the first event. */
  #runStart: number | undefined;
  /** Latest event time, so the timers never run behind what the engine reported. */
  #latestMs = 0;

  constructor(options: ProgressViewOptions) {
    this.#color = options.color;
    this.#now = options.now;
    for (const name of options.plugins ?? []) this.#plugins.set(name, queuedProgress(name));
  }

  apply(event: ProgressEvent): void {
    this.#runStart ??= this.#now() - event.elapsedMs;
    this.#latestMs = Math.max(this.#latestMs, event.elapsedMs);
    this.#plugins.set(event.plugin, advanceProgress(this.#plugins.get(event.plugin), event));
  }

  /** True once every plugin seen has reached a final phase. */
  get settled(): boolean {
    return [...this.#plugins.values()].every((p) => FINAL_PHASES.has(p.phase));
  }

  /**
   * One line per plugin, each at most `width` columns. With more plugins than `maxLines`, the
   * unfinished ones are kept and the rest summed up in a last line.
   */
  lines(width: number, maxLines = Number.POSITIVE_INFINITY): string[] {
    const nowMs = this.#runStart === undefined ? 0 : Math.max(this.#now() - this.#runStart, this.#latestMs);
    const all = [...this.#plugins.values()];
    const nameWidth = Math.max(MIN_NAME_WIDTH, ...all.map((p) => p.plugin.length));
    const layout = { nameWidth, width, color: this.#color };
    if (all.length <= maxLines) return all.map((p) => formatProgressLine(p, nowMs, layout));

    const shown = [...all.filter((p) => !FINAL_PHASES.has(p.phase)), ...all.filter((p) => FINAL_PHASES.has(p.phase))]
      .slice(0, Math.max(0, maxLines - 1));
    const hidden = all.filter((p) => !shown.includes(p));
    const finished = hidden.filter((p) => FINAL_PHASES.has(p.phase)).length;
    const more = `  … ${hidden.length} more (${finished} finished)`;
    return [
      ...all.filter((p) => shown.includes(p)).map((p) => formatProgressLine(p, nowMs, layout)),
      fitSegments([{ text: more, color: 'dim' }], width, this.#color),
    ];
  }
}
