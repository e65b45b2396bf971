import type { Logger } from 'pino';
import type { ContainerRuntime, VolumeRuntime } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';
import { deadRunObjects, needsEngineClock, STARTING_GRACE_MS, type DeadRunObjects } from './run-liveness.js';

export interface ReapOptions {
  /** Start-up grace for objects without a process (tests pass 0). */
  readonly graceMs?: number;
  /** Only objects that also carry these labels (tests keep to their own objects). */
  readonly only?: Readonly<Record<string, string>>;
}

/** What runs that are gone left on the engine, by the rule of run-liveness.ts; removes nothing. */
export async function findDeadRunObjects(
  runtime: ContainerRuntime,
  volumeRuntime: VolumeRuntime,
  { graceMs = STARTING_GRACE_MS, only = {} }: ReapOptions = {},
): Promise<DeadRunObjects> {
  const ours = { ...only, [Labels.run]: undefined };
  const [containers, volumes] = await Promise.all([runtime.listContainers(ours), volumeRuntime.listVolumes(ours)]);
  const now = needsEngineClock(containers, volumes) ? (await runtime.engineNow()).getTime() : 0;
  return deadRunObjects(containers, volumes, now, graceMs);
}

/**
 * Removes what pmt runs that are gone left on the engine — of any process, PID namespace or host
 * (see run-liveness.ts) — containers first, then the volumes they used. Objects another remover
 * takes first, and volumes still in use, are skipped.
 */
export async function reapDeadRuns(
  runtime: ContainerRuntime,
  volumeRuntime: VolumeRuntime,
  logger: Logger,
  options: ReapOptions = {},
): Promise<{ containers: number; volumes: number }> {
  const dead = await findDeadRunObjects(runtime, volumeRuntime, options);
  await Promise.all(dead.containers.map((c) => runtime.removeContainer(c.id)));
  const removed = await Promise.all(
    dead.volumes.map((v) =>
      volumeRuntime.removeVolume(v.name).then(
        () => true,
        // In use by a container another run still has (or one not removed yet): a later sweep gets it.
        () => false,
      ),
    ),
  );
  const counts = { containers: dead.containers.length, volumes: removed.filter(Boolean).length };
  if (counts.containers + counts.volumes > 0) {
    logger.info(`Removed ${counts.containers} container(s) and ${counts.volumes} volume(s) left by pmt runs that are gone`);
  }
  return counts;
}
