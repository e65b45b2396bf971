import type { Config } from '../config/config.js';
import type { ConfigOverrides } from '../config/config-overrides.js';
import { resolveConfig } from '../config/resolve-config.js';
import { ConfigError, type Problem } from '../errors.js';
import { BUNDLED_REGISTRY, lookUpConfig, lookUpRegistry, type LookedUp } from '../lookup/input-lookup.js';
import { loadRegistryFile } from '../registry/load-registry-file.js';
import type { Registry } from '../registry/registry.js';
import type { CliIO } from './cli-io.js';
import type { CommonOptions } from './common-options.js';

export interface Inputs {
  readonly registry: Registry;
  readonly config: Config;
  /** Which files were used and why (lookup order), for `pmt -l`, `pmt doctor` and messages. */
  readonly lookup: InputLookup;
}

export interface InputLookup {
  readonly registry: LookedUp;
  readonly config: LookedUp;
}

/** Where the registry and config of a command are (see lookup/input-lookup.ts); nothing is read yet. */
export async function lookUpInputs(options: Pick<CommonOptions, 'registry' | 'config'>, io: CliIO): Promise<InputLookup> {
  const [registry, config] = await Promise.all([
    lookUpRegistry({ cwd: io.cwd, env: io.env, flag: options.registry }),
    lookUpConfig({ cwd: io.cwd, env: io.env, flag: options.config }),
  ]);
  return { registry, config };
}

/** The config alone, looked up as every command does. */
export async function loadConfig(options: Pick<CommonOptions, 'config'>, io: CliIO, overrides: ConfigOverrides = {}): Promise<Config> {
  const found = await lookUpConfig({ cwd: io.cwd, env: io.env, flag: options.config });
  return resolveConfig({ cwd: io.cwd, source: found, env: io.env, overrides });
}

/** Loads registry and config together so that the problems of both are reported at once. */
export async function loadInputs(options: CommonOptions, io: CliIO, overrides: ConfigOverrides = {}): Promise<Inputs> {
  const lookup = await lookUpInputs(options, io);
  const [registry, config] = await Promise.allSettled([
    loadRegistryFile(lookup.registry.file!, { bundledRegistry: BUNDLED_REGISTRY }),
    resolveConfig({ cwd: io.cwd, source: lookup.config, env: io.env, overrides }),
  ]);
  if (registry.status === 'fulfilled' && config.status === 'fulfilled') {
    return { registry: registry.value, config: config.value, lookup };
  }
  const failures = [registry, config].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  const configErrors = failures.filter((e): e is ConfigError => e instanceof ConfigError);
  if (configErrors.length !== failures.length) throw failures.find((e) => !(e instanceof ConfigError));
  if (configErrors.length === 1) throw configErrors[0];
  const problems: Problem[] = configErrors.flatMap((e) => [...e.problems]);
  throw new ConfigError(problems, configErrors.map((e) => e.hint).filter(Boolean).join('; ') || undefined);
}

/**
 * The registry file given with `-r`, as an absolute path, for commands pmt prints (`pmt build -p X -r
 * FILE`): a registry found any other way is found again without it.
 */
export function registryFlagOf(lookup: InputLookup): string | undefined {
  return lookup.registry.origin === 'flag' ? lookup.registry.file : undefined;
}

/** `/path/plugins.yaml (user config dir)`: a looked-up file and why it was chosen. */
export function describeLookup(found: LookedUp): string {
  return found.file === undefined ? found.why : `${found.file} (${found.why})`;
}
