import type { ContainerRuntime, ImagePublisher, PullProgress, RegistryAuth } from '../docker/container-runtime.js';

export interface PublishRequest {
  /** The local image (a reference the engine has). */
  readonly image: string;
  /** Where it goes: `HOST:PORT/repository:tag`. */
  readonly target: string;
  readonly auth: RegistryAuth | undefined;
  readonly onProgress?: (event: PullProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * When the extra tag could not be removed or given back (the push's own outcome stands): what
   * was left, for a warning.
   */
  readonly onTagProblem?: (problem: string) => void;
}

/**
 * Pushes a local image under another name, the way `docker tag` + `docker push` + `docker rmi`
 * would, leaving the engine's tags as they were: the extra tag is removed afterwards — on failure
 * and abort too — and a tag of that name that named another image before is given back to it.
 * When the image already has that name, it is pushed as it is. Resolves with the registry's digest.
 */
export async function publishImage(engine: Pick<ContainerRuntime, 'findImage'> & ImagePublisher, request: PublishRequest): Promise<string> {
  const { image, target, auth, onProgress, signal } = request;
  if (target === image) return engine.pushImage(target, auth, onProgress, signal);
  const before = await engine.findImage(target);
  await engine.tagImage(image, target);
  try {
    return await engine.pushImage(target, auth, onProgress, signal);
  } finally {
    // Whatever happens here, the push's result (or its error, or the abort) is what the user needs.
    const restore = before === undefined ? engine.untagImage(target) : engine.tagImage(before.id, target);
    await restore.catch((error: unknown) => {
      const left = before === undefined ? `the extra tag ${target} is left on the engine (docker rmi ${target})` : `${target} still names ${image}, not ${before.id} as before`;
      request.onTagProblem?.(`${left}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
