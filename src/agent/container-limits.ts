import type { Config } from '../config/config.js';
import type { ContainerLimits } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';

/** A plugin's own limits where its registry entry sets them, the config's defaults elsewhere. */
export function containerLimits(plugin: Plugin, config: Config): ContainerLimits {
  return {
    memoryBytes: plugin.resources.memoryBytes ?? config.defaultMemoryBytes,
    cpus: plugin.resources.cpus ?? config.defaultCpus,
    pids: plugin.resources.pids ?? config.defaultPids,
  };
}

/** Where a plugin's time limit came from, so that a timeout's hint names the setting to change. */
export type TimeoutSource = 'flag' | 'entry' | 'config';

/** A plugin's time limit: `--timeout` wins, then the registry entry's `timeout`, then the config's DefaultTimeout. */
export function pluginTimeout(plugin: Plugin, config: Config, override: number | undefined): { readonly ms: number; readonly source: TimeoutSource } {
  if (override !== undefined) return { ms: override, source: 'flag' };
  if (plugin.timeoutMs !== undefined) return { ms: plugin.timeoutMs, source: 'entry' };
  return { ms: config.defaultTimeoutMs, source: 'config' };
}
