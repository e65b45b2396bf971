import type { Plugin } from '../../src/registry/plugin.js';

/** The Plugin fields a registry entry gets when it leaves the optional keys out. */
export const PLUGIN_DEFAULTS = {
  coreVersion: undefined,
  build: undefined,
  timeoutMs: undefined,
  network: 'none',
  resources: { memoryBytes: undefined, cpus: undefined, pids: undefined },
  user: undefined,
  readOnlyRootfs: false,
  env: {},
} as const satisfies Partial<Plugin>;
