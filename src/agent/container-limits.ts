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

/** `--timeout` wins, then the registry entry's `timeout`, then the config's DefaultTimeout. */
export function pluginTimeoutMs(plugin: Plugin, config: Config, override: number | undefined): number {
  return override ?? plugin.timeoutMs ?? config.defaultTimeoutMs;
}

/** Where a plugin's time limit came from, so that a timeout's hint names the setting to change. */
export type TimeoutSource = 'flag' | 'entry' | 'config';

export function timeoutSource(plugin: Plugin, override: number | undefined): TimeoutSource {
  return override !== undefined ? 'flag' : plugin.timeoutMs !== undefined ? 'entry' : 'config';
}
