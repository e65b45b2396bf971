/** Node's timers fire at once (after 1 ms) when asked to wait longer than this: 2^31-1 ms, ~24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DeadlineClock {
  /** A monotonic clock in milliseconds. */
  readonly now: () => number;
  /** The longest single wait; tests shrink it to see the timer re-arm. */
  readonly maxTimerMs: number;
}

const systemClock: DeadlineClock = { now: () => performance.now(), maxTimerMs: MAX_TIMER_MS };

export interface Deadline {
  /** Aborted with a `TimeoutError` DOMException, as `AbortSignal.timeout()`'s is, once `ms` have passed. */
  readonly signal: AbortSignal;
  /** Stops the timer; the signal then never aborts. */
  readonly clear: () => void;
}

/**
 * `AbortSignal.timeout(ms)` for any duration pmt accepts: Node's own clamps waits beyond
 * MAX_TIMER_MS to 1 ms (a 1000h timeout fired at once) and refuses those beyond 2^32-1 ms. The
 * timer waits at most MAX_TIMER_MS at a time and re-arms until the deadline has passed. Like
 * AbortSignal.timeout's, it does not keep the process alive.
 */
export function deadlineSignal(ms: number, clock: DeadlineClock = systemClock): Deadline {
  const controller = new AbortController();
  const end = clock.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = end - clock.now();
    if (left <= 0) return controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    timer = setTimeout(arm, Math.min(left, clock.maxTimerMs));
    timer.unref();
  };
  arm();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
