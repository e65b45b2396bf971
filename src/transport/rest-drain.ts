import type { IncomingMessage } from 'node:http';

/** How much of a refused request's body is read (and thrown away) so the client sees the answer. */
export interface DrainLimits {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/** A refused body is read on for at most this much, so that small requests still get their answer. */
export const REFUSED_BODY_DRAIN: DrainLimits = { maxBytes: 4 * 1024 * 1024, maxMs: 5000 };

/**
 * Reads and discards the rest of a request body, up to `maxBytes` and `maxMs`. Answering before
 * the body is read and then closing makes the kernel reset the connection, and the client (curl)
 * may then report a send error instead of the answer; a small body is therefore read to its end.
 * A large or slow one is abandoned: resolves false, and the caller closes the connection.
 */
export function drainRequest(request: IncomingMessage, limits: DrainLimits): Promise<boolean> {
  if (request.complete) return Promise.resolve(true);
  if (request.destroyed || request.readableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ended: boolean): void => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (!ended) request.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > limits.maxBytes) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onClose = (): void => finish(request.complete);
    const timer = setTimeout(() => finish(false), limits.maxMs);
    // Whatever was parsing the body (busboy) lets go of it; the bytes now go nowhere.
    request.unpipe();
    request.on('data', onData).once('end', onEnd).once('close', onClose).once('error', onClose);
    request.resume();
  });
}
