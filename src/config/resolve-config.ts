import path from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import { swarmConfigProblems } from './advertise-addr.js';
import type { Config } from './config.js';
import { DEFAULT_CONFIG } from './config-defaults.js';
import { applyEnvironment, applyOverrides, type ConfigOverrides, type Environment } from './config-overrides.js';
import { CONFIG_HINT, parseConfig } from './parse-config.js';
import { readSourceFile } from './read-source-file.js';

/** The config file looked for in the working directory when no --config is given. */
export const CONFIG_FILE_NAME = 'core_engine_config.json';

export interface ResolveConfigOptions {
  /** Where pmt was started; the default config file and relative paths of flags are looked up here. */
  readonly cwd: string;
  /** `--config FILE`: must exist. */
  readonly configPath?: string | undefined;
  readonly env: Environment;
  readonly overrides?: ConfigOverrides;
}

/**
 * The one Config of a run: built-in defaults, then the config file (`--config`, else
 * `<cwd>/core_engine_config.json` if present), then the environment, then flags. Never a path
 * relative to pmt's own install location. Every problem of all sources is reported at once.
 */
export async function resolveConfig(options: ResolveConfigOptions): Promise<Config> {
  const problems: Problem[] = [];
  let config = DEFAULT_CONFIG;
  const found = await readConfigText(options);
  if (found !== undefined) {
    try {
      config = parseConfig(found.text, found.file, path.dirname(path.resolve(options.cwd, found.file)));
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

async function readConfigText(options: ResolveConfigOptions): Promise<{ file: string; text: string } | undefined> {
  const explicit = options.configPath !== undefined;
  const file = explicit ? (options.configPath as string) : path.join(options.cwd, CONFIG_FILE_NAME);
  const read = await readSourceFile(path.resolve(options.cwd, file), 'config file');
  if (read.ok) return { file, text: read.text };
  if (!explicit && read.code === 'ENOENT') return undefined;
  // The problem names the file as the user gave it.
  throw new ConfigError([{ ...read.problem, file }], explicit && read.code !== undefined ? 'check the --config path' : undefined);
}
