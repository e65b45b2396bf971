import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../src/until-aborted.js';

describe('untilAborted', () => {
  it("gives the work's value, or its failure, when the signal stays quiet", async () => {
    const signal = new AbortController().signal;
    await expect(untilAborted(Promise.resolve(7), signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('broken')), signal)).rejects.toThrow('broken');
  });

  it("rejects with the signal's reason when it aborts first, or has aborted already", async () => {
    const cut = new AbortController();
    const waiting = untilAborted(new Promise<never>(() => undefined), cut.signal);
    cut.abort('SIGINT');
    await expect(waiting).rejects.toBe('SIGINT');
    await expect(untilAborted(Promise.resolve(1), cut.signal)).rejects.toBe('SIGINT');
  });

  it('leaves no listener on a long-lived signal once the work has settled', async () => {
    const run = new AbortController();
    let listeners = 0;
    const add = run.signal.addEventListener.bind(run.signal);
    const remove = run.signal.removeEventListener.bind(run.signal);
    run.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
    run.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args))) as typeof remove;
    for (let i = 0; i < 50; i++) await untilAborted(Promise.resolve(i), run.signal);
    expect(listeners).toBe(0);
  });
});
