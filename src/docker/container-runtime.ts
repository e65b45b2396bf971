import type { Readable } from 'node:stream';

/** What the caller of `startContainer` may do while the container starts. */
export interface StartHooks {
  readonly onAttached?: (container: PluginContainer) => void;
  readonly onStarting?: () => void;
}

/**
 * What pmt needs from a container engine. The Docker implementation is the only code that talks to
 * dockerode; orchestration tests may pass a fake.
 */
export interface ContainerRuntime {
  /**
   * Where the engine is, once it answered a ping (`GET /_ping`: ~1 ms, against ~10 ms for the
   * version, which the engine gathers by running runc and its init); rejects with
   * EngineUnreachableError when no engine answers.
   */
  ping(): Promise<EngineReach>;
  /** The engine's version facts besides; rejects with EngineUnreachableError when no engine answers. */
  describe(): Promise<EngineInfo>;
  /** The local image's id, or undefined when the engine does not have it. */
  findImage(reference: string): Promise<LocalImage | undefined>;
  /** Pulls an image to its end; rejects on any error event of the pull stream. */
  pullImage(reference: string, auth: RegistryAuth | undefined, onProgress?: (event: PullProgress) => void): Promise<void>;
  /**
   * Creates and starts a container whose main process — a shell on an open stdin — keeps running
   * until it is removed, attached before it starts so that pmt can talk to that shell.
   * `onAttached` gets the container once pmt is attached, before it starts: a command given to it
   * then reaches the shell with its start (see MainShell.run). `onStarting` is called once the start
   * request is on its way: the engine's slowest step, which pmt may use for work of its own. When
   * the start fails, the container is removed and what `onAttached` began fails with it.
   */
  startContainer(spec: ContainerSpec, hooks?: StartHooks): Promise<PluginContainer>;
  /** Containers carrying all of the given labels (any value when the value is undefined). */
  listContainers(labels: Record<string, string | undefined>): Promise<ContainerSummary[]>;
  /** Force-removes a container and its anonymous volumes; a container already gone is fine. */
  removeContainer(id: string): Promise<void>;
  /** The engine's own clock, which created-times of its objects are measured by. */
  engineNow(): Promise<Date>;
}

/**
 * Asks an image's registry, through the engine, whether it would serve the image — without pulling
 * it (GET /distribution/{name}/json). Separate from ContainerRuntime so existing fakes stay valid.
 */
export interface DistributionProbe {
  /**
   * The registry's answer; rejects with EngineUnreachableError when no engine answers, and with
   * `signal`'s reason when it aborts first.
   */
  inspectDistribution(reference: string, auth: RegistryAuth | undefined, signal?: AbortSignal): Promise<DistributionAnswer>;
}

/**
 * Builds images from a streamed build context through the engine (POST /build). Separate from
 * ContainerRuntime so existing fakes stay valid.
 */
export interface ImageBuilder {
  /**
   * Builds `context` (a tar stream holding a Dockerfile at its root) and tags it. Resolves with the
   * image id; rejects with ImageBuildFailed (the engine's message) when a step fails, and with
   * EngineUnreachableError when no engine answers.
   */
  buildImage(context: Readable, request: ImageBuildRequest): Promise<string>;
}

/**
 * Publishes local images to a registry (pmt push). Separate from ContainerRuntime so existing fakes
 * stay valid.
 */
export interface ImagePublisher {
  /** Tags image `source` (reference or id) as `target`; an image already of that tag loses it. */
  tagImage(source: string, target: string): Promise<void>;
  /**
   * Pushes `reference` to its registry to the end; resolves with the manifest digest (`sha256:…`).
   * Rejects with the registry's refusal (via the engine), EngineUnreachableError, or `signal`'s
   * reason when it aborts first (the engine then cancels the push).
   */
  pushImage(reference: string, auth: RegistryAuth | undefined, onProgress?: (event: PullProgress) => void, signal?: AbortSignal): Promise<string>;
  /** Removes the tag `reference`, never the image it names; a tag already gone is fine. */
  untagImage(reference: string): Promise<void>;
}

export interface ImageBuildRequest {
  readonly tag: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The network of RUN steps: `host` reaches package mirrors on engines without a bridge. */
  readonly networkMode: 'host' | 'none' | 'default';
  /** The build's output as the engine sends it (`Step 2/5 : RUN …`, the commands' output). */
  readonly onOutput?: (text: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Whether the engine sees this machine's files — the precondition of every bind mount. An engine
 * reached over a local socket may still live elsewhere: pmt in a container with the host's socket
 * mounted ("Docker-out-of-Docker") reaches the host's engine, whose paths are the host's.
 */
export interface FileSharingProbe {
  /** Rejects only when the engine fails otherwise (unreachable, image missing). */
  probeFileSharing(request: FileSharingRequest): Promise<FileSharingVerdict>;
}

export interface FileSharingRequest {
  /** Any image the engine has (the container is created, never started). */
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * A fresh, randomly named directory of pmt's own, holding a file with a random 128-bit name
   * (`markerFile`) and the size and modification time this machine sees for it.
   */
  readonly markerDir: string;
  readonly markerFile: string;
  readonly markerSize: number;
  readonly markerMtimeMs: number;
  /** The input directory and what this machine says about it. */
  readonly inputDir: string;
  readonly inputMtimeMs: number;
  readonly inputMode: number;
  /**
   * Takes the removal of the probe's container (a function whose promise never rejects) instead of
   * the verdict waiting for it; the caller runs it and waits for it before it ends. Unset: the
   * verdict comes once the container is removed.
   */
  readonly deferRemoval?: (remove: () => Promise<void>) => void;
}

export type FileSharingVerdict = { readonly shared: true } | { readonly shared: false; readonly reason: string };

export type DistributionAnswer = { readonly available: true; readonly digest: string } | { readonly available: false; readonly reason: string };

/** An engine that answered, and where it is. */
export interface EngineReach {
  /** Where pmt reached the engine, e.g. `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /**
   * False when the engine runs elsewhere, so host paths cannot be bind-mounted. A unix socket
   * counts as local, tcp:// and ssh:// as remote, unless `--engine-local` or PMT_ENGINE_LOCAL=0|1
   * says otherwise (see dockerConnectionOptions).
   */
  readonly local: boolean;
}

export interface EngineInfo extends EngineReach {
  readonly version: string;
  readonly apiVersion: string;
}

export interface LocalImage {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The image's USER; '' means root. */
  readonly user: string;
  /** `name@sha256:…` of each registry the image was pulled from or pushed to; empty for a locally built image. */
  readonly repoDigests: readonly string[];
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
  /** A host path, or the name of a volume (see VolumeRuntime). */
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
  /** Container paths that get a fresh anonymous volume (writable, labelled like the container, removed with it). */
  readonly volumes: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly networkMode: 'none' | 'host' | 'bridge';
  readonly limits: ContainerLimits;
  /** `user[:group]`; undefined keeps the image's user. */
  readonly user: string | undefined;
  /** Read-only root filesystem; /tmp then gets a tmpfs so tools that need scratch space still work. */
  readonly readOnlyRootfs: boolean;
}

export interface ContainerLimits {
  readonly memoryBytes: number;
  /** 0 means no CPU limit. */
  readonly cpus: number;
  readonly pids: number;
}

export interface ExecOptions {
  /** Aborting rejects the exec at once; the caller then removes the container. */
  readonly signal?: AbortSignal;
  /** Run as this user instead of the container's (e.g. `0` to prepare /result for a non-root plugin). */
  readonly user?: string;
}

export interface MainShellOptions {
  /** Aborting rejects at once (ExecAborted with the output so far); the caller then removes the container. */
  readonly signal?: AbortSignal;
}

/** An exec cut short by its abort signal, with the output it had produced until then. */
export class ExecAborted extends Error {
  constructor(
    readonly reason: unknown,
    readonly partial: { readonly stdout: string; readonly stderr: string },
  ) {
    super('command aborted', { cause: reason });
  }
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface PluginContainer {
  readonly id: string;
  /**
   * Runs a command as a new process set up by the engine (an exec) — for what the main shell cannot
   * do, such as running as another user.
   */
  exec(command: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a command through the container's main shell (see MainShell): as a child of that shell,
   * with its user and environment, stdin /dev/null, stdout and stderr apart, and its exit status;
   * one at a time. No engine exec, so it costs a fork instead of a new process set-up.
   */
  runInMainShell(command: readonly string[], options?: MainShellOptions): Promise<ExecResult>;
  /** Lets go of the connection to the main shell; removal does this too. */
  detach(): void;
  /**
   * Lets the container stop by itself before its removal: an idle main shell's input ends, the
   * shell exits and the engine is waited for (briefly) to see the container stopped. A busy or gone
   * shell is let go of at once, as `detach` does; the forced removal then stops the container.
   */
  finish(): Promise<void>;
  /** A tar stream of the path (file or directory) inside the container. */
  getArchive(path: string, signal?: AbortSignal): Promise<Readable>;
  /**
   * Extracts a tar stream into `path`, an existing directory inside the container (the engine
   * answers 404 otherwise). Not into a read-only root filesystem or mount; a writable volume works.
   * The stream is consumed or destroyed when this settles.
   */
  putArchive(path: string, tar: Readable, signal?: AbortSignal): Promise<void>;
}

/**
 * Named volumes filled through the engine's archive API: how the input reaches an engine that
 * cannot see this machine's files. The plugin container then mounts the volume read-only, exactly
 * like the bind of a local input. Separate from ContainerRuntime so existing fakes stay valid.
 */
export interface VolumeRuntime {
  /**
   * Creates a volume with these labels and extracts `tar` at its root, through a helper container
   * from `image` running `shell` idle — started and attached like a plugin's, so that it holds the
   * run's lease while the copy lasts (see engine/run-liveness.ts). When filling fails the volume is
   * removed again and the error rethrown.
   */
  createFilledVolume(spec: FilledVolumeSpec): Promise<FilledVolume>;
  /** Volumes carrying all of the given labels (any value when the value is undefined). */
  listVolumes(labels: Record<string, string | undefined>): Promise<VolumeSummary[]>;
  /** Removes a volume no container uses any more; a volume already gone is fine. */
  removeVolume(name: string): Promise<void>;
}

export interface VolumeSummary {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** When the engine created it, by the engine's clock (ms since the epoch; 0 when unknown). */
  readonly createdMs: number;
}

export interface FilledVolume {
  readonly name: string;
  /**
   * Removes the helper container. Call it once a container that mounts the volume exists: until
   * then the helper is what shows that the volume's run is alive.
   */
  release(): Promise<void>;
}

export interface FilledVolumeSpec {
  readonly image: string;
  /** A POSIX shell in the image (the plugin's), run idle as the helper's main process. */
  readonly shell: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly tar: Readable;
  readonly signal?: AbortSignal;
}

export interface ContainerSummary {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The engine's word: created, running, paused, restarting, removing, exited, dead. */
  readonly state: string;
  /** When the engine created it, by the engine's clock (ms since the epoch). */
  readonly createdMs: number;
}
