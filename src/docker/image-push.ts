import type Dockerode from 'dockerode';
import type { PullProgress, RegistryAuth } from './container-runtime.js';
import { dockerStatusCode } from './docker-errors.js';
import { followProgress, type ProgressFailure } from './follow-progress.js';
import { untilAborted } from '../until-aborted.js';

interface PushEvent extends ProgressFailure {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  /** The last event of a push: what the registry stored. */
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/**
 * Pushes `reference` (`host/repository:tag`) and follows the stream to its end, checking every
 * event for an error. Resolves with the manifest digest the registry answered (`sha256:…`).
 * The engine wants an X-Registry-Auth header on every push, so anonymous pushes send an empty one.
 */
export async function pushImage(
  docker: Dockerode,
  reference: string,
  auth: RegistryAuth | undefined,
  onProgress?: (event: PullProgress) => void,
  signal?: AbortSignal,
): Promise<string> {
  // Aborting closes the connection, which cancels the push on the engine.
  const stream = (await docker.getImage(reference).push({ authconfig: auth ?? {}, ...(signal ? { abortSignal: signal } : {}) })) as NodeJS.ReadableStream;
  let digest: string | undefined;
  const following = followProgress<PushEvent>(docker, stream, (event) => {
    if (event.aux?.Digest) digest = event.aux.Digest;
    onProgress?.({ status: event.status ?? '', id: event.id, current: event.progressDetail?.current, total: event.progressDetail?.total });
  });
  // A stream cut by the abort may end without 'end' or 'error': the abort itself settles the push
  // (and a late error of the stream is then nobody's).
  following.catch(() => undefined);
  const failure = await (signal ? untilAborted(following, signal) : following);
  if (failure !== undefined) throw new Error(failure);
  if (!digest) throw new Error(`the engine ended the push of ${reference} without the registry's digest`);
  return digest;
}

/** Tags image `source` (a reference or id) as `target` (`host/repository:tag`), replacing any image of that tag. */
export async function tagImage(docker: Dockerode, source: string, target: string): Promise<void> {
  const colon = target.lastIndexOf(':');
  await docker.getImage(source).tag({ repo: target.slice(0, colon), tag: target.slice(colon + 1) });
}

/** Removes the tag `reference` only: never the image it names (noprune, no force); a tag already gone is fine. */
export async function untagImage(docker: Dockerode, reference: string): Promise<void> {
  try {
    await docker.getImage(reference).remove({ noprune: true });
  } catch (error) {
    if (dockerStatusCode(error) !== 404) throw error;
  }
}
