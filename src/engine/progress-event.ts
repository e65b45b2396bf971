/**
 * What the engine tells its caller while a run goes on, one event per change of a plugin's phase.
 * The CLI draws live lines from these on a terminal and plain lines elsewhere.
 */
export type PluginPhase =
  | 'queued'
  | 'pulling'
  | 'starting'
  | 'running'
  | 'collecting'
  | 'succeeded'
  | 'failed'
  | 'timed out'
  | 'cached'
  | 'interrupted';

export interface ProgressEvent {
  readonly plugin: string;
  readonly phase: PluginPhase;
  /** Milliseconds since the run started. */
  readonly elapsedMs: number;
  /** Pull progress in percent, when the engine reports sizes. */
  readonly percent?: number;
  /** One line for failed / timed out phases. */
  readonly detail?: string;
  /** Swarm mode: the node the plugin's task was placed on (its hostname), once known. */
  readonly node?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Phases after which a plugin's line no longer changes. */
export const FINAL_PHASES: ReadonlySet<PluginPhase> = new Set(['succeeded', 'failed', 'timed out', 'cached', 'interrupted']);
