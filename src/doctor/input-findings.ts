import type { Config } from '../config/config.js';
import { formatProblem, problemsShown, type ConfigError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { Finding } from './finding.js';

/** Why each file was chosen (the lookup order's level), e.g. `user config dir`. */
export interface InputReasons {
  readonly registry: string;
  readonly config: string;
}

/** The registry and config loaded: one ok finding each, naming the file and why it was chosen. */
export function validInputFindings(registry: Registry, config: Config, why?: InputReasons): Finding[] {
  const names = registry.available().map((p) => p.name);
  const because = (reason: string | undefined): string => (reason ? ` (${reason})` : '');
  const configText = config.source === 'built-in defaults' ? 'no config file found: built-in defaults' : `${config.source}${because(why?.config)}: valid`;
  return [
    {
      check: 'registry',
      status: 'ok',
      message: `${registry.source}${because(why?.registry)}: ${names.length} plugin(s)${names.length > 0 ? ` (${names.join(', ')})` : ''}; default: ${registry.default()?.name ?? 'none'}`,
    },
    { check: 'config', status: 'ok', message: why ? configText : `${config.source}: valid` },
  ];
}

/**
 * One failed finding per problem, as file:line:col. A problem in `registryFile` is a registry
 * finding; everything else (config file, environment, flags) a config finding.
 */
export function invalidInputFindings(error: ConfigError, registryFile: string): Finding[] {
  const { shown, more } = problemsShown(error.problems);
  const findings: Finding[] = shown.map((problem) => ({
    check: problem.file === registryFile ? 'registry' : 'config',
    status: 'fail',
    message: formatProblem(problem),
    ...(error.hint ? { hint: error.hint } : {}),
  }));
  const last = findings.at(-1);
  if (more !== undefined && last !== undefined) findings.push({ check: last.check, status: 'fail', message: more });
  return findings;
}
