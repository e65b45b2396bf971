import type { Logger } from 'pino';
import type { ContainerRuntime, VolumeRuntime } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';
import type { SwarmRuntime, SwarmState } from '../docker/swarm-runtime.js';
import { aliveRuns, deadRunObjects, needsEngineClock, STARTING_GRACE_MS, type DeadRunObjects } from './run-liveness.js';
import { deadSwarmObjects, liveSwarmRuns, type ServiceWithTasks } from './swarm-liveness.js';

export interface ReapOptions {
  /** Start-up grace for objects without a process (tests pass 0). */
  readonly graceMs?: number;
  /** Only objects that also carry these labels (tests keep to their own objects). */
  readonly only?: Readonly<Record<string, string>>;
  /** The engine's swarm side: when the engine is a swarm manager, services and secrets are looked at too. */
  readonly swarm?: SwarmRuntime;
  /** The swarm's state as the run already asked for it (no request more for the manager check or the clock). */
  readonly swarmState?: SwarmState;
  /**
   * The run that sweeps: alive by definition. Its objects are neither judged nor a reason to read
   * the engine's clock (GET /info), although its containers are still being created and started.
   */
  readonly ownRun?: string;
}

export interface ReapCounts {
  readonly containers: number;
  readonly volumes: number;
  readonly services: number;
  readonly secrets: number;
}

/** What runs that are gone left on the engine (and its swarm), by the rules of run-liveness.ts and swarm-liveness.ts; removes nothing. */
export async function findDeadRunObjects(
  runtime: ContainerRuntime,
  volumeRuntime: VolumeRuntime,
  { graceMs = STARTING_GRACE_MS, only = {}, swarm, swarmState, ownRun }: ReapOptions = {},
): Promise<DeadRunObjects> {
  const ours = { ...only, [Labels.run]: undefined };
  const isManager = swarmState !== undefined ? swarmState.manager : swarm !== undefined && (await swarm.isManager());
  const manager = isManager ? swarm : undefined;
  const [listedContainers, listedVolumes, listedServices, listedSecrets] = await Promise.all([
    runtime.listContainers(ours),
    volumeRuntime.listVolumes(ours),
    manager ? servicesWithTasks(manager, ours) : [],
    manager ? manager.listSecrets(ours) : [],
  ]);
  const notOwn = (labels: Readonly<Record<string, string>>): boolean => ownRun === undefined || labels[Labels.run] !== ownRun;
  const containers = listedContainers.filter((c) => notOwn(c.labels));
  const volumes = listedVolumes.filter((v) => notOwn(v.labels));
  const services = listedServices.filter((s) => notOwn(s.service.labels));
  const secrets = listedSecrets.filter((s) => notOwn(s.labels));
  const clock = needsEngineClock(containers, volumes) || services.length + secrets.length > 0;
  // The swarm state's clock is the same engine's (the manager pmt talks to), read from its answer.
  const now = !clock ? 0 : (swarmState?.engineNowMs?.() ?? (await runtime.engineNow()).getTime());
  const liveServices = liveSwarmRuns(services, now, graceMs);
  const dead = deadRunObjects(containers, volumes, now, graceMs, liveServices);
  if (!manager) return dead;
  return { ...dead, ...deadSwarmObjects(services, secrets, new Set([...aliveRuns(containers), ...liveServices]), now, graceMs) };
}

/**
 * Removes what pmt runs that are gone left on the engine — of any process, PID namespace or host
 * (see run-liveness.ts) — services first (the swarm removes their task containers on every node),
 * then secrets, containers, and the volumes they used. Objects another remover takes first, and
 * secrets and volumes still in use, are skipped (a later sweep gets them).
 */
export async function reapDeadRuns(runtime: ContainerRuntime, volumeRuntime: VolumeRuntime, logger: Logger, options: ReapOptions = {}): Promise<ReapCounts> {
  const dead = await findDeadRunObjects(runtime, volumeRuntime, options);
  const removed = async <T>(objects: readonly T[] | undefined, remove: (object: T) => Promise<void>): Promise<number> =>
    (await Promise.all((objects ?? []).map((o) => remove(o).then(() => true, () => false)))).filter(Boolean).length;
  const services = await removed(dead.services, (s) => options.swarm!.removeService(s.id));
  const secrets = await removed(dead.secrets, (s) => options.swarm!.removeSecret(s.id));
  await Promise.all(dead.containers.map((c) => runtime.removeContainer(c.id)));
  const volumes = await removed(dead.volumes, (v) => volumeRuntime.removeVolume(v.name));
  const counts = { containers: dead.containers.length, volumes, services, secrets };
  if (counts.containers + counts.volumes + counts.services + counts.secrets > 0) {
    const what = services + secrets > 0 ? `, ${counts.volumes} volume(s), ${services} service(s) and ${secrets} secret(s)` : ` and ${counts.volumes} volume(s)`;
    logger.info(`Removed ${counts.containers} container(s)${what} left by pmt runs that are gone`);
  }
  return counts;
}

async function servicesWithTasks(swarm: SwarmRuntime, labels: Readonly<Record<string, string | undefined>>): Promise<ServiceWithTasks[]> {
  const services = await swarm.listServices(labels);
  return Promise.all(services.map(async (service) => ({ service, tasks: await swarm.serviceTasks(service.id) })));
}
