import type Dockerode from 'dockerode';
import type { PullProgress, RegistryAuth } from './container-runtime.js';
import { followProgress, type ProgressFailure } from './follow-progress.js';

interface PullEvent extends ProgressFailure {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

/**
 * Pulls an image and follows its progress stream to the end. The engine reports many failures as an
 * `error` event inside a successful HTTP response, and followProgress does not treat those as
 * errors, so every event is checked.
 */
export async function pullImage(
  docker: Dockerode,
  reference: string,
  auth: RegistryAuth | undefined,
  onProgress?: (event: PullProgress) => void,
): Promise<void> {
  const stream = (await docker.pull(reference, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
  const failure = await followProgress<PullEvent>(docker, stream, (event) =>
    onProgress?.({ status: event.status ?? '', id: event.id, current: event.progressDetail?.current, total: event.progressDetail?.total }),
  );
  if (failure !== undefined) throw new Error(failure);
}
