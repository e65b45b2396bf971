import type { PullProgress } from './container-runtime.js';
import { formatBytes } from '../store/format-bytes.js';

/**
 * Sums the engine's per-layer download (pull) or upload (push) progress into one figure. Layers
 * announce their size only once they start moving, so the total can grow while a pull runs.
 */
export class PullMeter {
  readonly #layers = new Map<string, { current: number; total: number }>();
  #status = 'pulling';

  update(event: PullProgress): void {
    if (event.status) this.#status = event.status.toLowerCase();
    if (event.id === undefined) return;
    const layer = this.#layers.get(event.id);
    if ((event.status === 'Downloading' || event.status === 'Pushing') && event.total !== undefined && event.total > 0) {
      this.#layers.set(event.id, { current: Math.min(event.current ?? 0, event.total), total: event.total });
    } else if (layer && (event.status === 'Download complete' || event.status === 'Pull complete' || event.status === 'Pushed')) {
      layer.current = layer.total;
    }
  }

  /** Whole percent of the bytes announced so far; undefined before any layer announced its size. */
  percent(): number | undefined {
    let current = 0;
    let total = 0;
    for (const layer of this.#layers.values()) {
      current += layer.current;
      total += layer.total;
    }
    return total === 0 ? undefined : Math.floor((100 * current) / total);
  }

  describe(): string {
    const percent = this.percent();
    if (percent === undefined) return this.#status;
    const total = [...this.#layers.values()].reduce((sum, layer) => sum + layer.total, 0);
    return `${percent}% of ${formatBytes(total)} (${this.#status})`;
  }
}
