import type { Config } from './config.js';

const MiB = 2 ** 20;

/** The config used when no core_engine_config.json is found; a file overrides key by key. */
export const DEFAULT_CONFIG: Config = Object.freeze({
  restApi: true,
  restTransport: 'unix',
  restFallback: true,
  remoteRepoUser: undefined,
  remoteRepoPass: undefined,
  saveResultsLocally: true,
  pathDirResults: '',
  pathDirLogs: '',
  serverUrl: undefined,
  maxResultFileBytes: 256 * MiB,
  maxRunResultBytes: 1024 * MiB,
  filestoreMemoryBytes: 64 * MiB,
  // Secure by default: a runaway scanner can neither hang a CI job forever, fill the host's memory
  // nor fork-bomb it. CPUs stay unlimited (0): scanners are CPU-bound and pmt already bounds parallelism.
  defaultTimeoutMs: 30 * 60_000,
  defaultMemoryBytes: 2048 * MiB,
  defaultCpus: 0,
  defaultPids: 1024,
  cacheDir: '',
  provenanceKey: undefined,
  engine: 'local',
  restAdvertiseAddr: '',
  swarmPlacementTimeoutMs: 60_000,
  source: 'built-in defaults',
});

/** The smallest value each size accepts: a zero memory budget just means "always spill to disk". */
export const MINIMUM_SIZES = {
  maxResultFileBytes: 1,
  maxRunResultBytes: 1,
  filestoreMemoryBytes: 0,
  // The engine refuses containers with less memory than this.
  defaultMemoryBytes: 6 * MiB,
} as const;
