import type { Readable } from 'node:stream';

/**
 * What pmt needs from a container engine. The Docker implementation is the only code that talks to
 * dockerode; orchestration tests may pass a fake.
 */
export interface ContainerRuntime {
  /** Engine version facts; rejects with EngineUnreachableError when no engine answers. */
  ping(): Promise<EngineInfo>;
  /** The local image's id, or undefined when the engine does not have it. */
  findImage(reference: string): Promise<LocalImage | undefined>;
  /** Pulls an image to its end; rejects on any error event of the pull stream. */
  pullImage(reference: string, auth: RegistryAuth | undefined, onProgress?: (event: PullProgress) => void): Promise<void>;
  /** Creates and starts a container whose main process keeps running until it is removed. */
  startContainer(spec: ContainerSpec): Promise<PluginContainer>;
  /** Containers carrying all of the given labels (any value when the value is undefined). */
  listContainers(labels: Record<string, string | undefined>): Promise<ContainerSummary[]>;
  /** Force-removes a container and its anonymous volumes; a container already gone is fine. */
  removeContainer(id: string): Promise<void>;
}

export interface EngineInfo {
  readonly version: string;
  readonly apiVersion: string;
  /** Where pmt reached the engine, e.g. `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /** False when the engine runs elsewhere, so host paths cannot be bind-mounted. */
  readonly local: boolean;
}

export interface LocalImage {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

export interface PullProgress {
  readonly status: string;
  readonly id?: string;
  readonly current?: number;
  readonly total?: number;
}

export interface BindMount {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly: boolean;
}

export interface ContainerSpec {
  readonly image: string;
  /** The long-running main process, e.g. the plugin's shell. */
  readonly command: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly binds: readonly BindMount[];
  /** Container paths that get a fresh anonymous volume (writable, removed with the container). */
  readonly volumes: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly networkMode: 'none' | 'host' | 'bridge';
}

export interface ExecOptions {
  /** Aborting rejects the exec at once; the caller then removes the container. */
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface PluginContainer {
  readonly id: string;
  exec(command: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** A tar stream of the path (file or directory) inside the container. */
  getArchive(path: string, signal?: AbortSignal): Promise<Readable>;
}

export interface ContainerSummary {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
}
