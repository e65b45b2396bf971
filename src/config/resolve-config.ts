import path from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { swarmConfigProblems } from './advertise-addr.js';
import type { LookedUp } from '../lookup/input-lookup.js';
import type { Config } from './config.js';
import { DEFAULT_CONFIG } from './config-defaults.js';
import { applyEnvironment, applyOverrides, type ConfigOverrides, type Environment } from './config-overrides.js';
import { CONFIG_HINT, parseConfig } from './parse-config.js';
import { readSourceFile } from './read-source-file.js';

export interface ResolveConfigOptions {
  /** Where pmt was started; relative paths of flags are resolved here. */
  readonly cwd: string;
  /** The config file the lookup chose (lookUpConfig), read as it is; none: the built-in defaults. */
  readonly source: LookedUp;
  readonly env: Environment;
  readonly overrides?: ConfigOverrides;
}

/**
 * The one Config of a run: built-in defaults, then the config file the lookup chose (see
 * lookup/input-lookup.ts), then the environment, then flags. Never a path relative to pmt's own
 * install location. Every problem of all sources is reported at once.
 */
export async function resolveConfig(options: ResolveConfigOptions): Promise<Config> {
  const problems: Problem[] = [];
  let config = DEFAULT_CONFIG;
  const file = options.source.file;
  if (file !== undefined) {
    const text = await readConfigText(file, options.source);
    try {
      config = parseConfig(text, file, path.dirname(file));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const fromEnv = applyEnvironment(config, options.env);
  const fromFlags = applyOverrides(fromEnv.config, options.overrides ?? {}, options.cwd);
  problems.push(...fromEnv.problems, ...fromFlags.problems);
  if (problems.length === 0) problems.push(...swarmConfigProblems(fromFlags.config));
  if (problems.length > 0) throw new ConfigError(problems, CONFIG_HINT);
  return Object.freeze({ ...fromFlags.config });
}

/** The chosen file's text; a file that cannot be read fails the command (it was chosen on purpose, or found present). */
async function readConfigText(file: string, source: LookedUp): Promise<string> {
  const read = await readSourceFile(file, 'config file');
  if (read.ok) return read.text;
  const named = source.origin === 'flag' || source.origin === 'env';
  throw new ConfigError([read.problem], named && read.code !== undefined ? `check the ${source.why} path` : undefined);
}
