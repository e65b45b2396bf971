/** One plugin of the registry, normalised from any of the accepted file shapes. */
export interface Plugin {
  /** Unique in its registry (compared case-insensitively). */
  readonly name: string;
  /** The plugin's own version (free text, usually the scanner's version). */
  readonly version: string;
  /** semver range of core engine versions this plugin works with; undefined means any. */
  readonly coreVersion: string | undefined;
  /** Docker image reference, e.g. `pmt/licensee:9.16.0`. */
  readonly image: string;
  /** The shell kept alive in the container and used to run `cmd` (`[shell, "-c", cmd]`). */
  readonly shell: string;
  /** The command that scans `/input` and writes into `/result`. */
  readonly cmd: string;
  /** Plain file names the plugin writes into `/result`. Never empty. */
  readonly results: readonly string[];
  /** The PMT server importer its results go to; defaults to the plugin name. */
  readonly importer: string;
  /** Absolute path of the directory holding the plugin's Dockerfile, when the registry names one. */
  readonly build: string | undefined;
  /** How long its commands may run (pull time excluded); undefined → the config's default. */
  readonly timeoutMs: number | undefined;
  /** The container's network; `none` unless the plugin needs more. */
  readonly network: 'none' | 'host' | 'bridge';
  /** Limits; an undefined one takes the config's default. */
  readonly resources: PluginResources;
  /** `user[:group]` the container runs as; undefined → the image's user. */
  readonly user: string | undefined;
  /** Root filesystem read-only (with a writable /result volume and a tmpfs /tmp). */
  readonly readOnlyRootfs: boolean;
  /** Extra environment for the plugin's container. */
  readonly env: Readonly<Record<string, string>>;
  /** Swarm placement constraints (`node.labels.scanner==big`); ignored by a local run. */
  readonly constraints?: readonly string[];
}

export interface PluginResources {
  readonly memoryBytes: number | undefined;
  readonly cpus: number | undefined;
  readonly pids: number | undefined;
}
