import { describe, expect, it } from 'vitest';
import { BackgroundWork } from '../../../src/engine/background-work.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('BackgroundWork', () => {
  it('holds `later` work until release, then runs it once and hands back its result', async () => {
    const work = new BackgroundWork();
    let starts = 0;
    const result = work.later(async () => {
      starts++;
      return 42;
    });
    await tick();
    expect(starts).toBe(0);
    work.release();
    work.release();
    expect(await result).toBe(42);
    expect(starts).toBe(1);
    // After the release, later work starts at once.
    expect(await work.later(async () => 'now')).toBe('now');
  });

  it('settled releases held work and waits for it, and for work added meanwhile', async () => {
    const work = new BackgroundWork();
    const done: string[] = [];
    work.later(async () => {
      await tick();
      work.add(tick().then(() => void done.push('added meanwhile')));
      done.push('held');
    });
    work.add(Promise.reject(new Error('its own business')));
    await work.settled();
    expect(done).toEqual(['held', 'added meanwhile']);
  });

  it('a failure of held work rejects its result but not the waiting', async () => {
    const work = new BackgroundWork();
    const result = work.later(() => Promise.reject(new Error('broken')));
    work.release();
    await expect(result).rejects.toThrow('broken');
    await expect(work.settled()).resolves.toBeUndefined();
  });
});
