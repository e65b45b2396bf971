import { setTimeout as delay } from 'node:timers/promises';

/**
 * Delay before attempt `failedAttempt + 1`: exponential from `baseMs`, capped at `maxMs`, with "equal
 * jitter" (half fixed, half random) so clients that failed together do not retry together.
 */
export function backoffDelay(failedAttempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/**
 * A Retry-After header (seconds or HTTP date) as milliseconds, capped at `maxMs`; undefined when
 * absent or unreadable.
 */
export function retryAfterMs(header: string | undefined, maxMs: number, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(maxMs, Math.max(0, ms));
}

/** The default sleep: a timer that rejects with the signal's reason when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal === undefined ? undefined : { signal });
}
