import type { EngineInfo } from '../docker/container-runtime.js';
import { PmtError } from '../errors.js';
import type { Finding } from './finding.js';

/** `swarm`: the engine is the swarm's manager, whose tasks send results over REST whatever its place. */
export function engineFinding(info: EngineInfo, swarm = false): Finding {
  const where = info.local || swarm ? '' : ' (not on this machine: results come back by archive copy)';
  return { check: 'engine', status: 'ok', message: `Docker ${info.version} (API ${info.apiVersion}) at ${info.endpoint}${where}` };
}

/** No engine answered; EngineUnreachableError already carries the hint on how to start one. */
export function engineFailure(error: unknown): Finding {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof PmtError ? error.hint : undefined;
  return { check: 'engine', status: 'fail', message, ...(hint ? { hint } : {}) };
}
