import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { FilledVolumeSpec } from './container-runtime.js';
import { dockerStatusCode } from './docker-errors.js';

/** Where the helper container mounts the volume it fills; no image has anything there to copy up. */
const FILL_MOUNT = '/pmt-fill';

/**
 * PUT /containers/{id}/archive with a streamed body: docker-modem pipes the stream into the request
 * (backpressure included) and destroys the request when the stream fails, so a packing error comes
 * back as the rejection. The engine may answer (e.g. 404) before the stream ends; the rest is then
 * destroyed so its producer stops.
 */
export async function putArchive(container: Dockerode.Container, path: string, tar: Readable, signal?: AbortSignal): Promise<void> {
  try {
    signal?.throwIfAborted();
    await container.putArchive(tar, { path, abortSignal: signal });
  } finally {
    if (!tar.readableEnded) tar.destroy();
  }
}

/**
 * A named volume holding the tar's contents. The helper container is never started: the engine
 * mounts a container's volumes for archive calls whether it runs or not. On failure nothing stays:
 * the stream is destroyed and the volume removed (what a failed removal leaves carries the labels).
 */
export async function createFilledVolume(docker: Dockerode, spec: FilledVolumeSpec): Promise<string> {
  let volume: Dockerode.Volume | undefined;
  try {
    spec.signal?.throwIfAborted();
    volume = await docker.createVolume({ Labels: { ...spec.labels }, abortSignal: spec.signal } as Dockerode.VolumeCreateOptions);
    const helper = await docker.createContainer({
      Image: spec.image,
      Cmd: ['/pmt-never-started'],
      Labels: { ...spec.labels },
      NetworkDisabled: true,
      HostConfig: { Binds: [`${volume.name}:${FILL_MOUNT}`], NetworkMode: 'none' },
      abortSignal: spec.signal,
    });
    try {
      await putArchive(helper, FILL_MOUNT, spec.tar, spec.signal);
    } finally {
      await helper.remove({ force: true, v: true }).catch(() => undefined);
    }
    return volume.name;
  } catch (error) {
    if (!spec.tar.readableEnded) spec.tar.destroy();
    await volume?.remove().catch(() => undefined);
    throw error;
  }
}

export async function removeVolume(docker: Dockerode, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove();
  } catch (error) {
    ignoreGone(error);
  }
}

function ignoreGone(error: unknown): void {
  if (dockerStatusCode(error) !== 404) throw error;
}
