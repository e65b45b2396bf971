import type { SwarmSecretSummary, SwarmServiceSummary, SwarmTask } from '../docker/swarm-runtime.js';
import { Labels } from '../docker/labels.js';

/**
 * Task states in which a node has taken the task on and it has not ended: its container is being
 * prepared (the pull), starts or runs. A pmt task runs only while its pmt holds the lease (the task
 * script's watchdog, see SWARM-DESIGN.md), and pmt's own pull jobs end by themselves, so a task in
 * one of these states is proof that its run is alive or about to end. Unassigned states (new,
 * allocated, pending: no node has room) prove nothing: a task of a dead run may wait there forever.
 */
const ASSIGNED_AND_LIVE = new Set(['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']);

export interface ServiceWithTasks {
  readonly service: SwarmServiceSummary;
  readonly tasks: readonly SwarmTask[];
}

export interface DeadSwarmObjects {
  readonly services: SwarmServiceSummary[];
  readonly secrets: SwarmSecretSummary[];
}

/** The longest placement wait a service's label is believed for (a day): a label is no lease. */
const MAX_PLACEMENT_WAIT_MS = 24 * 3_600_000;

/**
 * The runs with a live service: one with a task a node has taken on and that has not ended, or one
 * younger than the start-up grace plus the placement wait its run wrote on it (it may have no task
 * yet, or one no node has room for yet), by the manager's clock.
 */
export function liveSwarmRuns(services: readonly ServiceWithTasks[], managerNowMs: number, graceMs: number): Set<string> {
  const live = services.filter(
    ({ service, tasks }) => tasks.some((t) => ASSIGNED_AND_LIVE.has(t.state)) || managerNowMs - service.createdMs < graceMs + placementWaitMs(service.labels),
  );
  return new Set(live.map(({ service }) => service.labels[Labels.run]!));
}

/**
 * What runs that are gone left on a swarm: services and secrets of runs that are not alive —
 * `aliveRuns` holds the runs with a live service (liveSwarmRuns) and those with a running
 * container on the engine (run-liveness.ts). Everything of a live run stays, also its finished
 * services (their run reads their logs and removes them). A secret is only room: it goes once
 * older than the start-up grace, as a volume does.
 */
export function deadSwarmObjects(
  services: readonly ServiceWithTasks[],
  secrets: readonly SwarmSecretSummary[],
  aliveRuns: ReadonlySet<string>,
  managerNowMs: number,
  graceMs: number,
): DeadSwarmObjects {
  const dead = (labels: Readonly<Record<string, string>>, createdMs: number): boolean =>
    !aliveRuns.has(labels[Labels.run]!) && managerNowMs - createdMs >= graceMs;
  return {
    services: services.filter(({ service }) => dead(service.labels, service.createdMs)).map(({ service }) => service),
    secrets: secrets.filter((secret) => dead(secret.labels, secret.createdMs)),
  };
}

function placementWaitMs(labels: Readonly<Record<string, string>>): number {
  const wait = Number(labels[Labels.placementWait]);
  return Number.isFinite(wait) && wait > 0 ? Math.min(wait, MAX_PLACEMENT_WAIT_MS) : 0;
}
