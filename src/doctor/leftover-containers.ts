import type { DeadRunObjects } from '../engine/run-liveness.js';
import type { Finding } from './finding.js';

export function leftoverFinding(dead: DeadRunObjects): Finding {
  const { containers, volumes } = dead;
  if (containers.length + volumes.length === 0) return { check: 'leftovers', status: 'ok', message: 'nothing left by pmt runs that are gone' };
  const names = [...containers.map((c) => c.id.slice(0, 12)), ...volumes.map((v) => `volume ${v.name.slice(0, 12)}`)].join(', ');
  return {
    check: 'leftovers',
    status: 'warn',
    message: `${containers.length} container(s) and ${volumes.length} volume(s) left by pmt runs that are gone: ${names}`,
    hint: 'remove them with `pmt doctor --fix` (the next pmt scan also removes them)',
  };
}

/** After `--fix`: what the reaper removed. */
export function removedFinding(removed: { containers: number; volumes: number }): Finding {
  const none = removed.containers + removed.volumes === 0;
  return {
    check: 'leftovers',
    status: 'ok',
    message: none
      ? 'nothing left by pmt runs that are gone'
      : `removed ${removed.containers} container(s) and ${removed.volumes} volume(s) left by pmt runs that are gone`,
  };
}
