import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import type { ConfigOverrides } from '../config/config-overrides.js';
import { resolveConfig } from '../config/resolve-config.js';
import { ConfigError, type Problem } from '../errors.js';
import { loadRegistryFile } from '../registry/load-registry-file.js';
import type { Registry } from '../registry/registry.js';
import type { CliIO } from './cli-io.js';
import type { CommonOptions } from './common-options.js';

export interface Inputs {
  readonly registry: Registry;
  readonly config: Config;
}

/** Loads registry and config together so that the problems of both are reported at once. */
export async function loadInputs(options: CommonOptions, io: CliIO, overrides: ConfigOverrides = {}): Promise<Inputs> {
  const [registry, config] = await Promise.allSettled([
    loadRegistryFile(resolve(io.cwd, options.registry)),
    resolveConfig({ cwd: io.cwd, configPath: options.config, env: io.env, overrides }),
  ]);
  if (registry.status === 'fulfilled' && config.status === 'fulfilled') {
    return { registry: registry.value, config: config.value };
  }
  const failures = [registry, config].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  const configErrors = failures.filter((e): e is ConfigError => e instanceof ConfigError);
  if (configErrors.length !== failures.length) throw failures.find((e) => !(e instanceof ConfigError));
  if (configErrors.length === 1) throw configErrors[0];
  const problems: Problem[] = configErrors.flatMap((e) => [...e.problems]);
  throw new ConfigError(problems, configErrors.map((e) => e.hint).filter(Boolean).join('; ') || undefined);
}
