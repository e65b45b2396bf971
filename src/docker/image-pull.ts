import type Dockerode from 'dockerode';
import type { PullProgress, RegistryAuth } from './container-runtime.js';

interface PullEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
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
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (event: PullEvent) => {
        if (event.error || event.errorDetail?.message) {
          failure ??= event.errorDetail?.message ?? event.error;
          return;
        }
        onProgress?.({
          status: event.status ?? '',
          id: event.id,
          current: event.progressDetail?.current,
          total: event.progressDetail?.total,
        });
      },
    );
  });
  if (failure !== undefined) throw new Error(failure);
}
