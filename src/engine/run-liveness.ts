import type { ContainerSummary, VolumeSummary } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';
import type { SwarmSecretSummary, SwarmServiceSummary } from '../docker/swarm-runtime.js';

/**
 * How long an object with no process of its own (a created container, a volume) counts as its run
 * starting up, by the engine's clock: a live run creates, attaches and starts a container, and
 * fills and mounts a volume, within seconds. A leftover of this kind holds no process, only room,
 * so waiting costs nothing.
 */
export const STARTING_GRACE_MS = 5 * 60_000;

/** States in which a container's process exists: pmt's connection to it is then its lease. */
const HOLDS_A_LEASE = new Set(['running', 'paused', 'restarting']);

/** The label the engine puts on a swarm task's container: the swarm removes it with its service. */
export const SWARM_TASK_LABEL = 'com.docker.swarm.task.id';

export interface DeadRunObjects {
  readonly containers: ContainerSummary[];
  readonly volumes: VolumeSummary[];
  /** On a swarm manager (see swarm-liveness.ts); absent elsewhere. */
  readonly services?: SwarmServiceSummary[];
  readonly secrets?: SwarmSecretSummary[];
}

/**
 * What is left by runs that are gone. The rule: every pmt container's main shell reads its commands
 * from pmt's attach connection, and the engine closes the shell's stdin when that connection goes
 * (StdinOnce), which ends the shell — even mid-command — and with it the container. So a pmt
 * container runs exactly as long as its pmt process holds it: a running container is proof that
 * its run is alive, valid across PID namespaces, hosts sharing an engine and reused pids. A run is
 * alive while any of its containers runs; everything of a run that is not alive goes — exited and
 * dead containers, and created containers and volumes once older than the start-up grace.
 * `aliveElsewhere`: runs known alive by other proof (a live swarm service, see swarm-liveness.ts).
 * A swarm task's container (on a manager that is also a node) is the swarm's to remove, with its
 * service; it still proves its run alive while it runs.
 */
export function deadRunObjects(
  containers: readonly ContainerSummary[],
  volumes: readonly VolumeSummary[],
  engineNowMs: number,
  graceMs: number,
  aliveElsewhere: ReadonlySet<string> = new Set(),
): DeadRunObjects {
  const alive = new Set([...aliveRuns(containers), ...aliveElsewhere]);
  const settled = (createdMs: number): boolean => engineNowMs - createdMs >= graceMs;
  return {
    containers: containers.filter((c) => {
      if (alive.has(c.labels[Labels.run]!) || HOLDS_A_LEASE.has(c.state) || c.state === 'removing' || c.labels[SWARM_TASK_LABEL] !== undefined) return false;
      return c.state !== 'created' || settled(c.createdMs);
    }),
    volumes: volumes.filter((v) => !alive.has(v.labels[Labels.run]!) && settled(v.createdMs)),
  };
}

/** The runs with a container that holds a lease (a running one). */
export function aliveRuns(containers: readonly ContainerSummary[]): Set<string> {
  return new Set(containers.filter((c) => HOLDS_A_LEASE.has(c.state)).map((c) => c.labels[Labels.run]!));
}

/** Whether deciding needs the engine's clock (only objects of the start-up kind do). */
export function needsEngineClock(containers: readonly ContainerSummary[], volumes: readonly VolumeSummary[]): boolean {
  return volumes.length > 0 || containers.some((c) => c.state === 'created');
}
