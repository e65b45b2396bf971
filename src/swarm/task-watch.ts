import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../config/duration.js';
import { TERMINAL_TASK_STATES, type SwarmRuntime, type SwarmTask } from '../docker/swarm-runtime.js';
import { ExitCode, PmtError } from '../errors.js';

/** What the user sees of a task: its node pulling the image, starting it, running it. */
export type TaskPhase = 'pulling' | 'starting' | 'running';

/** States before a node has accepted the task: the placement timeout covers these. */
const UNPLACED = new Set(['', 'new', 'allocated', 'pending']);
const PHASES: Readonly<Record<string, TaskPhase>> = { preparing: 'pulling', ready: 'starting', starting: 'starting', running: 'running' };

export interface TaskWatch {
  readonly swarm: SwarmRuntime;
  readonly serviceId: string;
  /** The node's hostname for its id (cached by the caller). */
  readonly nodeName: (nodeId: string) => Promise<string>;
  readonly placementTimeoutMs: number;
  /** What the task asked for, named in a placement failure ("memory 8 GiB, constraints …"). */
  readonly asked: string;
  readonly pollMs: number;
  /** Stops the watch (the run's signal, the plugin's deadline): rejects with its reason. */
  readonly signal: AbortSignal;
  /** Each time the task moves on to a phase; `node` once placed. */
  readonly onPhase: (phase: TaskPhase, node: string) => void;
  /** Once, when a node has the task's image and starts it: the plugin's time limit counts from here. */
  readonly onStarting: () => void;
  /** The task as each poll found it. */
  readonly onTask?: (end: TaskEnd) => void;
  readonly now?: () => number;
}

export interface TaskEnd {
  readonly task: SwarmTask;
  /** The hostname of the node it ran on ('' when it never was placed). */
  readonly node: string;
}

/**
 * Follows the service's one task (polling the manager; there is no task event stream in API 1.41)
 * until it reaches a terminal state. A task no node accepts within the placement timeout fails with
 * the scheduler's own words and what was asked for.
 */
export async function watchTask(watch: TaskWatch): Promise<TaskEnd> {
  const now = watch.now ?? (() => performance.now());
  const placementEnd = now() + watch.placementTimeoutMs;
  let phase: TaskPhase | undefined;
  let node = '';
  let started = false;
  for (;;) {
    watch.signal.throwIfAborted();
    const [task] = await watch.swarm.serviceTasks(watch.serviceId);
    if (task?.nodeId && !node) node = await watch.nodeName(task.nodeId);
    const next = task ? PHASES[task.state] : undefined;
    // A task seen only once it has already ended still started, if it got that far.
    const reached = next ?? (task && TERMINAL_TASK_STATES.has(task.state) && task.containerId ? 'running' : undefined);
    if (reached && (reached === 'starting' || reached === 'running') && !started) {
      started = true;
      watch.onStarting();
    }
    if (task) watch.onTask?.({ task, node });
    // Placed: the node is known before its first phase (the user sees where it goes at once).
    const shown = next ?? (node && !phase ? 'starting' : undefined);
    if (shown && shown !== phase) {
      phase = shown;
      watch.onPhase(shown, node);
    }
    if (task && TERMINAL_TASK_STATES.has(task.state)) return { task, node };
    if ((!task || UNPLACED.has(task.state)) && now() >= placementEnd) throw placementFailure(task, watch);
    await sleep(watch.pollMs, undefined, { signal: watch.signal });
  }
}

/** The task waited longer than SwarmPlacementTimeout for a node. */
export class PlacementTimeout extends PmtError {}

function placementFailure(task: SwarmTask | undefined, watch: TaskWatch): PlacementTimeout {
  const why = task?.err || task?.message || 'the scheduler gave no reason';
  return new PlacementTimeout(`no swarm node accepted the task within ${formatDuration(watch.placementTimeoutMs)}: ${why} (asked for ${watch.asked})`, {
    origin: 'docker',
    exitCode: ExitCode.pluginFailed,
    hint: "lower resources.memory / resources.cpus or the constraints of the plugin's registry entry, add nodes that fit, or raise SwarmPlacementTimeout when nodes are only busy",
  });
}
