import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full GC when the runtime lets us have one: `--expose-gc` set at run time is picked up by a new
 * context. Without it samples include garbage, so callers widen their thresholds.
 */
function findGc(): (() => void) | undefined {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Tracks the largest growth of heap + array-buffer memory over a baseline taken at creation. */
export function heapSampler(): { sample: () => void; readonly peakGrowth: number; readonly samples: number; readonly exact: boolean } {
  const gc = findGc();
  const measure = (): number => {
    // Twice: array-buffer backing stores are swept concurrently, the second GC waits for the first sweep.
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  const baseline = measure();
  let peak = 0;
  let samples = 0;
  return {
    sample: () => {
      samples += 1;
      peak = Math.max(peak, measure() - baseline);
    },
    get peakGrowth() {
      return peak;
    },
    get samples() {
      return samples;
    },
    /** Whether samples count only live memory (a GC ran before each). */
    exact: gc !== undefined,
  };
}
