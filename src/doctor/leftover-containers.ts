import type { ContainerSummary } from '../docker/container-runtime.js';
import type { Finding } from './finding.js';

export function leftoverFinding(stale: readonly ContainerSummary[]): Finding {
  if (stale.length === 0) return { check: 'leftovers', status: 'ok', message: 'no containers left by pmt processes that are gone' };
  const ids = stale.map((c) => c.id.slice(0, 12)).join(', ');
  return {
    check: 'leftovers',
    status: 'warn',
    message: `${stale.length} container(s) left by pmt processes that are gone: ${ids}`,
    hint: 'remove them with `pmt doctor --fix` (the next pmt scan also removes them)',
  };
}

/** After `--fix`: what the reaper removed. */
export function removedFinding(removed: number): Finding {
  return {
    check: 'leftovers',
    status: 'ok',
    message: removed === 0 ? 'no containers left by pmt processes that are gone' : `removed ${removed} container(s) left by pmt processes that are gone`,
  };
}
