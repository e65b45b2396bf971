import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ImageBuildRequest } from './container-runtime.js';
import { followProgress, type ProgressFailure } from './follow-progress.js';

interface BuildEvent extends ProgressFailure {
  stream?: string;
  status?: string;
  aux?: { ID?: string };
}

/** A build the engine refused or that failed in a step: the engine's message, the output so far. */
export class ImageBuildFailed extends Error {
  constructor(readonly engineMessage: string) {
    super(engineMessage);
  }
}

/**
 * POST /build with the context streamed as a tar (the classic builder: no BuildKit session), the
 * output followed to its end. Like a pull, a failed build is an `error` event inside a successful
 * HTTP response, so every event is checked. Resolves with the new image's id.
 */
export async function buildImage(docker: Dockerode, context: Readable, request: ImageBuildRequest): Promise<string> {
  const stream = (await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: request.tag,
    labels: { ...request.labels },
    networkmode: request.networkMode,
    // Intermediate containers go, also when a step fails.
    rm: true,
    forcerm: true,
    ...(request.signal ? { abortSignal: request.signal } : {}),
  })) as NodeJS.ReadableStream;
  let id: string | undefined;
  const failure = await followProgress<BuildEvent>(docker, stream, (event) => {
    if (event.aux?.ID) id = event.aux.ID;
    const text = event.stream ?? (event.status ? `${event.status}\n` : undefined);
    if (text) {
      id = /^Successfully built ([0-9a-f]+)/m.exec(text)?.[1] ?? id;
      request.onOutput?.(text);
    }
  });
  if (failure !== undefined) throw new ImageBuildFailed(failure);
  if (id === undefined) throw new ImageBuildFailed('the engine ended the build without naming an image');
  return id;
}
