import type { Config } from '../config/config.js';
import { formatProblem, type ConfigError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { Finding } from './finding.js';

/** The registry and config loaded: one ok finding each. */
export function validInputFindings(registry: Registry, config: Config): Finding[] {
  const names = registry.available().map((p) => p.name);
  return [
    {
      check: 'registry',
      status: 'ok',
      message: `${registry.source}: ${names.length} plugin(s)${names.length > 0 ? ` (${names.join(', ')})` : ''}; default: ${registry.default()?.name ?? 'none'}`,
    },
    { check: 'config', status: 'ok', message: `${config.source}: valid` },
  ];
}

/**
 * One failed finding per problem, as file:line:col. A problem in `registryFile` is a registry
 * finding; everything else (config file, environment, flags) a config finding.
 */
export function invalidInputFindings(error: ConfigError, registryFile: string): Finding[] {
  return error.problems.map((problem) => ({
    check: problem.file === registryFile ? 'registry' : 'config',
    status: 'fail',
    message: formatProblem(problem),
    ...(error.hint ? { hint: error.hint } : {}),
  }));
}
