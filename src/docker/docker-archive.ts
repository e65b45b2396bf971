import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { dockerStatusCode } from './docker-errors.js';

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
