import { SaveRejection } from './rest-rejection.js';
import type { RegisteredRun, RunRegistry } from './rest-runs.js';

/**
 * The plugin run a request's `Authorization: Bearer <token>` belongs to, for every route (/save,
 * /input, /lease): 401 without a well-formed header, 403 for a token no run has, 410 once the run
 * has ended.
 */
export function authenticate(runs: RunRegistry, header: string | undefined): RegisteredRun {
  if (header === undefined) throw new SaveRejection(401, 'missing "Authorization: Bearer <token>" header');
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match?.[1]) throw new SaveRejection(401, 'the Authorization header must be "Bearer <token>"');
  const run = runs.byToken(match[1]);
  if (!run) throw new SaveRejection(403, 'invalid token');
  if (!run.active) throw new SaveRejection(410, `plugin run ${run.id} has ended`);
  return run;
}
