import type Dockerode from 'dockerode';

/** What every progress event of the engine (pull, push, build) may carry when something failed. */
export interface ProgressFailure {
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Follows an engine progress stream to its end. The engine reports many failures as an `error`
 * event inside a successful HTTP response, and followProgress does not treat those as errors, so
 * every event is checked: the first failure is what this resolves with (undefined when none);
 * every other event goes to `onEvent`. Rejects when the stream itself fails.
 */
export async function followProgress<Event extends ProgressFailure>(docker: Dockerode, stream: NodeJS.ReadableStream, onEvent: (event: Event) => void): Promise<string | undefined> {
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (event: Event) => {
        if (event.error || event.errorDetail?.message) failure ??= event.errorDetail?.message ?? event.error;
        else onEvent(event);
      },
    );
  });
  return failure;
}
