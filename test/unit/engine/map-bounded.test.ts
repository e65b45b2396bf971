import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../../src/engine/map-bounded.js';

describe('mapBounded', () => {
  it('keeps at most `limit` tasks in flight and results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapBounded([30, 10, 20, 5, 15], 2, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return i * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(2);
  });

  it('handles no items and limits above the item count', async () => {
    expect(await mapBounded([], 8, async () => 1)).toEqual([]);
    expect(await mapBounded([1, 2], 8, async (x) => x * 2)).toEqual([2, 4]);
  });
});
