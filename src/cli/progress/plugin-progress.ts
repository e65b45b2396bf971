import { FINAL_PHASES, type PluginPhase, type ProgressEvent } from '../../engine/progress-event.js';

/** What is known of one plugin from the events so far; times are milliseconds since the run started. */
export interface PluginProgress {
  readonly plugin: string;
  readonly phase: PluginPhase;
  /** When it left the queue: its timer counts from here. */
  readonly startedMs: number | undefined;
  /** When it reached a final phase. */
  readonly endedMs: number | undefined;
  readonly percent: number | undefined;
  readonly detail: string | undefined;
  /** Swarm mode: the node its task runs on, once placed. */
  readonly node?: string;
}

export function queuedProgress(plugin: string): PluginProgress {
  return { plugin, phase: 'queued', startedMs: undefined, endedMs: undefined, percent: undefined, detail: undefined };
}

/** The state after `event`. A final phase is kept: a late event (an abort racing a finish) must not undo it. */
export function advanceProgress(previous: PluginProgress | undefined, event: ProgressEvent): PluginProgress {
  const current = previous ?? queuedProgress(event.plugin);
  if (FINAL_PHASES.has(current.phase)) return current;
  const final = FINAL_PHASES.has(event.phase);
  return {
    plugin: event.plugin,
    phase: event.phase,
    startedMs: current.startedMs ?? (event.phase === 'queued' ? undefined : event.elapsedMs),
    endedMs: final ? event.elapsedMs : undefined,
    percent: event.phase === 'pulling' ? event.percent : undefined,
    detail: event.detail,
    ...(event.node ?? current.node ? { node: event.node ?? current.node } : {}),
  };
}

/** The line's detail: where a swarm task runs, then what went wrong. */
export function progressDetail(progress: PluginProgress): string | undefined {
  const detail = progress.detail?.split('\n')[0]?.trim();
  const where = progress.node === undefined ? undefined : `on ${progress.node}`;
  return [where, detail].filter(Boolean).join(': ') || undefined;
}

/** Milliseconds the plugin has been at work at run time `nowMs`, or took; undefined if it never started. */
export function workedMs(progress: PluginProgress, nowMs: number): number | undefined {
  if (progress.startedMs === undefined) return undefined;
  return Math.max(0, (progress.endedMs ?? nowMs) - progress.startedMs);
}
