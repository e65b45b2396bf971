import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadlineSignal, MAX_TIMER_MS } from '../../../src/agent/deadline-signal.js';

describe('deadlineSignal', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not fire at once for durations Node timers cannot wait for (AbortSignal.timeout did)', async () => {
    const thousandHours = 1000 * 3_600_000;
    expect(thousandHours).toBeGreaterThan(MAX_TIMER_MS);
    const beyondUint32 = 50 * 24 * 3_600_000;
    const deadlines = [deadlineSignal(thousandHours), deadlineSignal(beyondUint32)];
    await sleep(50);
    expect(deadlines.map((d) => d.signal.aborted)).toEqual([false, false]);
    deadlines.forEach((d) => d.clear());
  });

  it('re-arms its timer until the deadline has passed, then aborts with a TimeoutError', () => {
    vi.useFakeTimers();
    const deadline = deadlineSignal(350, { now: () => Date.now(), maxTimerMs: 100 });
    vi.advanceTimersByTime(349);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('never aborts once cleared', () => {
    vi.useFakeTimers();
    const deadline = deadlineSignal(100, { now: () => Date.now(), maxTimerMs: 40 });
    vi.advanceTimersByTime(50);
    deadline.clear();
    vi.advanceTimersByTime(1000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
