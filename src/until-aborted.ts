/**
 * `work`'s outcome, unless `signal` aborts first: then a rejection with the signal's reason, as
 * `signal.throwIfAborted` gives. The listener goes once either settles, so a long-lived signal (a
 * run's) does not collect one per call. `work` itself is not stopped.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
