import type { DeadRunObjects } from '../engine/run-liveness.js';
import type { Finding } from './finding.js';

export function leftoverFinding(dead: DeadRunObjects): Finding {
  const { containers, volumes, services = [], secrets = [] } = dead;
  if (containers.length + volumes.length + services.length + secrets.length === 0) {
    return { check: 'leftovers', status: 'ok', message: 'nothing left by pmt runs that are gone' };
  }
  const names = [
    ...services.map((s) => `service ${s.name}`),
    ...secrets.map((s) => `secret ${s.name}`),
    ...containers.map((c) => c.id.slice(0, 12)),
    ...volumes.map((v) => `volume ${v.name.slice(0, 12)}`),
  ].join(', ');
  return {
    check: 'leftovers',
    status: 'warn',
    message: `${counted(containers.length, volumes.length, services.length, secrets.length)} left by pmt runs that are gone: ${names}`,
    hint: 'remove them with `pmt doctor --fix` (the next pmt scan also removes them)',
  };
}

/** After `--fix`: what the reaper removed. */
export function removedFinding(removed: { containers: number; volumes: number; services?: number; secrets?: number }): Finding {
  const { containers, volumes, services = 0, secrets = 0 } = removed;
  const none = containers + volumes + services + secrets === 0;
  return {
    check: 'leftovers',
    status: 'ok',
    message: none ? 'nothing left by pmt runs that are gone' : `removed ${counted(containers, volumes, services, secrets)} left by pmt runs that are gone`,
  };
}

/** `2 container(s) and 1 volume(s)`, with services and secrets when there are any (on a swarm manager). */
function counted(containers: number, volumes: number, services: number, secrets: number): string {
  if (services + secrets === 0) return `${containers} container(s) and ${volumes} volume(s)`;
  return `${services} service(s), ${secrets} secret(s), ${containers} container(s) and ${volumes} volume(s)`;
}
