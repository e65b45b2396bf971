/** The core engine config, resolved from file, environment and flags, then frozen. */
export interface Config {
  /** Results come back over the embedded REST endpoint (true) or by archive copy (false). */
  readonly restApi: boolean;
  /** How the REST endpoint is reached from containers: a mounted Unix socket, or TCP on 127.0.0.1 with host networking. */
  readonly restTransport: 'unix' | 'tcp';
  /** An image without curl falls back to archive copy (true) or fails (false). */
  readonly restFallback: boolean;
  /** Registry credentials for pulls; never printed. */
  readonly remoteRepoUser: string | undefined;
  readonly remoteRepoPass: string | undefined;
  readonly saveResultsLocally: boolean;
  /** Where results are written; '' means a fresh temp dir per run. */
  readonly pathDirResults: string;
  /** Where per-plugin container logs are written; '' means a fresh temp dir per run. */
  readonly pathDirLogs: string;
  /** PMT server base URL; undefined means no upload. */
  readonly serverUrl: string | undefined;
  /** Largest single result file accepted, in bytes. */
  readonly maxResultFileBytes: number;
  /** Largest total of result bytes accepted per plugin run. */
  readonly maxRunResultBytes: number;
  /** Result bytes a run keeps in memory before spilling to temp files. */
  readonly filestoreMemoryBytes: number;
  /** Where cached results are kept; '' means `$XDG_CACHE_HOME/pmt` (else `~/.cache/pmt`). */
  readonly cacheDir: string;
  /** Time a plugin's commands may take when its registry entry sets no timeout. */
  readonly defaultTimeoutMs: number;
  /** Container limits when a registry entry sets none; 0 CPUs means no CPU limit. */
  readonly defaultMemoryBytes: number;
  readonly defaultCpus: number;
  readonly defaultPids: number;
  /**
   * The private key that signs provenance records: a PEM file's path (ProvenanceKey, resolved against
   * the config file; PMT_PROVENANCE_KEY against the working directory) or, from PMT_PROVENANCE_KEY
   * only, the PEM text itself. Undefined: records are written unsigned. Never printed.
   */
  readonly provenanceKey: string | undefined;
  /** Where plugins run: containers on one engine (`local`), or jobs on the swarm that engine manages (`swarm`). */
  readonly engine: 'local' | 'swarm';
  /**
   * Swarm mode: the IP address pmt's REST endpoint listens on and swarm tasks reach it at; '' means
   * the address this machine uses to reach the manager. Never 0.0.0.0/:: (refused when parsed).
   */
  readonly restAdvertiseAddr: string;
  /** Swarm mode: how long a task may wait for a node to accept it before its plugin fails. */
  readonly swarmPlacementTimeoutMs: number;
  /** Where the config came from: a file path or 'built-in defaults'. */
  readonly source: string;
}
