import type Dockerode from 'dockerode';
import type { ContainerRuntime, FilledVolume, FilledVolumeSpec } from './container-runtime.js';

/** Where the helper container mounts the volume it fills; no image has anything there to copy up. */
const FILL_MOUNT = '/pmt-fill';

/** Enough for an idle shell; the engine, not the helper, writes the files. */
const HELPER_LIMITS = { memoryBytes: 64 * 2 ** 20, cpus: 0, pids: 16 } as const;

/**
 * A named volume holding the tar's contents, written by the engine's archive API into a helper
 * container that mounts it. The helper runs the plugin's shell idle, attached like a plugin's
 * container: while the copy lasts (minutes for a large input) it is the run's proof of life, so no
 * other pmt's reaper takes the half-filled volume. On failure nothing stays: the stream is
 * destroyed, the helper and the volume removed (what a failed removal leaves carries the labels).
 */
export async function createFilledVolume(docker: Dockerode, runtime: ContainerRuntime, spec: FilledVolumeSpec): Promise<FilledVolume> {
  let volume: Dockerode.Volume | undefined;
  let helper: Awaited<ReturnType<ContainerRuntime['startContainer']>> | undefined;
  try {
    spec.signal?.throwIfAborted();
    volume = await docker.createVolume({ Labels: { ...spec.labels }, abortSignal: spec.signal } as Dockerode.VolumeCreateOptions);
    helper = await runtime.startContainer({
      image: spec.image,
      command: [spec.shell],
      labels: spec.labels,
      binds: [{ hostPath: volume.name, containerPath: FILL_MOUNT, readOnly: false }],
      volumes: [],
      env: {},
      networkMode: 'none',
      limits: HELPER_LIMITS,
      user: undefined,
      readOnlyRootfs: true,
    });
    await helper.putArchive(FILL_MOUNT, spec.tar, spec.signal);
    const filled = helper;
    return {
      name: volume.name,
      release: async () => {
        filled.detach();
        await runtime.removeContainer(filled.id);
      },
    };
  } catch (error) {
    if (!spec.tar.readableEnded) spec.tar.destroy();
    if (helper) {
      helper.detach();
      await runtime.removeContainer(helper.id).catch(() => undefined);
    }
    await volume?.remove().catch(() => undefined);
    throw error;
  }
}
