import type { Logger } from 'pino';
import type { ContainerRuntime, ContainerSummary, VolumeRuntime } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';

/**
 * Removes containers left behind by pmt processes of this host that no longer exist (e.g. killed
 * with SIGKILL). Containers of live pmt processes, and of other hosts sharing a remote engine, stay.
 */
export async function reapStaleContainers(
  runtime: ContainerRuntime,
  host: string,
  isAlive: (pid: number) => boolean,
  logger: Logger,
  volumes?: VolumeRuntime,
): Promise<number> {
  const mine = { [Labels.pid]: undefined, [Labels.host]: host };
  const stale = staleContainers(await runtime.listContainers(mine), isAlive);
  await Promise.all(stale.map((c) => runtime.removeContainer(c.id)));
  // Input volumes (remote engines) go after the containers that used them.
  const listed = volumes ? await volumes.listVolumes(mine) : [];
  const staleVolumes = staleContainers(listed.map((v) => ({ id: v.name, labels: v.labels, state: '' })), isAlive);
  await Promise.all(staleVolumes.map((v) => volumes!.removeVolume(v.id)));
  if (stale.length + staleVolumes.length > 0) {
    logger.info(`Removed ${stale.length} container(s) and ${staleVolumes.length} volume(s) left by pmt processes that are gone`);
  }
  return stale.length;
}

/** Containers whose pmt process is gone: a pmt.pid that is not a positive whole number, or names no live process. */
export function staleContainers(candidates: readonly ContainerSummary[], isAlive: (pid: number) => boolean): ContainerSummary[] {
  return candidates.filter((c) => {
    const pid = Number(c.labels[Labels.pid]);
    return !Number.isInteger(pid) || pid <= 0 || !isAlive(pid);
  });
}

/** Whether a process exists on this machine (signal 0 checks without sending anything). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
