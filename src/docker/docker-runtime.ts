import type { Duplex, Readable } from 'node:stream';
import Dockerode from 'dockerode';
import type {
  ContainerRuntime,
  ContainerSpec,
  ContainerSummary,
  DistributionAnswer,
  DistributionProbe,
  EngineInfo,
  EngineReach,
  FilledVolume,
  FileSharingProbe,
  FileSharingRequest,
  FileSharingVerdict,
  FilledVolumeSpec,
  ImageBuilder,
  ImageBuildRequest,
  ImagePublisher,
  ExecOptions,
  ExecResult,
  MainShellOptions,
  LocalImage,
  PluginContainer,
  PullProgress,
  RegistryAuth,
  StartHooks,
  VolumeRuntime,
  VolumeSummary,
} from './container-runtime.js';
import { putArchive, removeVolume } from './docker-archive.js';
import { createFilledVolume } from './filled-volume.js';
import { dockerMessage, dockerStatusCode, isEngineUnreachable, toDockerError } from './docker-errors.js';
import { execInContainer } from './docker-exec.js';
import { probeFileSharing } from './file-sharing-probe.js';
import { buildImage, ImageBuildFailed } from './image-build.js';
import { pullImage } from './image-pull.js';
import { pushImage, tagImage, untagImage } from './image-push.js';
import { lastWords } from './last-words.js';
import { MainShell, MainShellGone } from './main-shell.js';
import { ContainerEndedOutside, containerEnd } from './container-end.js';
import { DockerSwarm } from './docker-swarm.js';
import type { SwarmRuntime } from './swarm-runtime.js';

/** The Docker Engine API through dockerode; the only class that imports it. */
export class DockerRuntime implements ContainerRuntime, DistributionProbe, VolumeRuntime, ImageBuilder, FileSharingProbe, ImagePublisher {
  /** Where the engine is reached, for messages; the default socket is found only when first used. */
  endpoint: string;

  /**
   * `endpoint` and `local` as connectDocker decided them (without, both are guessed from the modem);
   * `close` ends what the connection keeps open (an ssh:// engine's ssh processes).
   */
  constructor(
    private readonly docker: Dockerode,
    private readonly connection: { readonly endpoint?: string; readonly local?: boolean; readonly close?: () => Promise<void> } = {},
  ) {
    const modem = docker.modem as { socketPath?: unknown; host?: string; port?: string | number; protocol?: string };
    this.endpoint =
      connection.endpoint ??
      (typeof modem.socketPath === 'string'
        ? `unix://${modem.socketPath}`
        : modem.socketPath
          ? 'unix://(default Docker socket)'
          : `${modem.protocol ?? 'http'}://${modem.host ?? 'localhost'}:${modem.port ?? ''}`);
  }

  /** docker-modem may pick the default socket lazily (a function resolving to its path). */
  private async resolveEndpoint(): Promise<string> {
    const socketPath = (this.docker.modem as { socketPath?: unknown }).socketPath;
    if (typeof socketPath === 'function') this.endpoint = `unix://${String(await (socketPath as () => Promise<string>)())}`;
    return this.endpoint;
  }

  /** The same engine as a swarm manager (its services, tasks and secrets). */
  swarm(): SwarmRuntime {
    return new DockerSwarm(this.docker, this.endpoint);
  }

  /** Ends the connections kept open for later calls; the runtime is not used after this. */
  async close(): Promise<void> {
    await this.connection.close?.();
  }

  async ping(): Promise<EngineReach> {
    try {
      const reach = await this.reach();
      await this.docker.ping();
      return reach;
    } catch (error) {
      throw toDockerError('answer a ping', error, this.endpoint);
    }
  }

  async describe(): Promise<EngineInfo> {
    try {
      const reach = await this.reach();
      const version = await this.docker.version();
      return { ...reach, version: version.Version, apiVersion: version.ApiVersion };
    } catch (error) {
      throw toDockerError('answer a version request', error, this.endpoint);
    }
  }

  /** Where the engine is, and whether it runs on this machine (asks the engine nothing). */
  private async reach(): Promise<EngineReach> {
    return { endpoint: await this.resolveEndpoint(), local: this.connection.local ?? this.endpoint.startsWith('unix://') };
  }

  /** The engine's default registry address, used to match credentials for unqualified images. */
  async defaultRegistry(): Promise<string> {
    try {
      const info = (await this.docker.info()) as { IndexServerAddress?: string };
      return info.IndexServerAddress ?? '';
    } catch (error) {
      throw toDockerError('describe itself', error, this.endpoint);
    }
  }

  async findImage(reference: string): Promise<LocalImage | undefined> {
    try {
      const info = await this.docker.getImage(reference).inspect();
      return { id: info.Id, labels: info.Config?.Labels ?? {}, user: info.Config?.User ?? '', repoDigests: info.RepoDigests ?? [] };
    } catch (error) {
      if (dockerStatusCode(error) === 404) return undefined;
      throw toDockerError(`inspect image ${reference}`, error, this.endpoint);
    }
  }

  async pullImage(reference: string, auth: RegistryAuth | undefined, onProgress?: (event: PullProgress) => void): Promise<void> {
    try {
      await pullImage(this.docker, reference, auth, onProgress);
    } catch (error) {
      throw toDockerError(`pull image ${reference}`, error, this.endpoint);
    }
  }

  async tagImage(source: string, target: string): Promise<void> {
    try {
      await tagImage(this.docker, source, target);
    } catch (error) {
      throw toDockerError(`tag image ${source} as ${target}`, error, this.endpoint);
    }
  }

  async pushImage(reference: string, auth: RegistryAuth | undefined, onProgress?: (event: PullProgress) => void, signal?: AbortSignal): Promise<string> {
    try {
      return await pushImage(this.docker, reference, auth, onProgress, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toDockerError(`push image ${reference}`, error, this.endpoint);
    }
  }

  async untagImage(reference: string): Promise<void> {
    try {
      await untagImage(this.docker, reference);
    } catch (error) {
      throw toDockerError(`remove the tag ${reference}`, error, this.endpoint);
    }
  }

  async probeFileSharing(request: FileSharingRequest): Promise<FileSharingVerdict> {
    try {
      return await probeFileSharing(this.docker, request);
    } catch (error) {
      throw toDockerError(`check that it sees this machine's files (through a container from ${request.image})`, error, this.endpoint);
    }
  }

  async buildImage(context: Readable, request: ImageBuildRequest): Promise<string> {
    try {
      return await buildImage(this.docker, context, request);
    } catch (error) {
      if (error instanceof ImageBuildFailed || request.signal?.aborted) throw error;
      throw toDockerError(`build image ${request.tag}`, error, this.endpoint);
    }
  }

  async inspectDistribution(reference: string, auth: RegistryAuth | undefined, signal?: AbortSignal): Promise<DistributionAnswer> {
    try {
      // Dialled directly: dockerode's image.distribution() takes no abort signal.
      const answer = await new Promise<{ Descriptor?: { digest?: string } }>((resolve, reject) =>
        this.docker.modem.dial(
          {
            path: `/distribution/${reference}/json`,
            method: 'GET',
            statusCodes: { 200: true, 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
            authconfig: auth,
            abortSignal: signal,
            options: {},
          },
          (error: unknown, data: unknown) => (error ? reject(error) : resolve(data as { Descriptor?: { digest?: string } })),
        ),
      );
      return { available: true, digest: answer.Descriptor?.digest ?? '' };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isEngineUnreachable(error)) throw toDockerError('ask a registry about an image', error, this.endpoint);
      // The engine relays the registry's refusal (unknown image, no access, unreachable registry).
      return { available: false, reason: dockerMessage(error) };
    }
  }

  async startContainer(spec: ContainerSpec, hooks: StartHooks = {}): Promise<PluginContainer> {
    let container: Dockerode.Container;
    try {
      container = await this.docker.createContainer({
        Image: spec.image,
        Cmd: [...spec.command],
        // The shell reads its commands from pmt's attach connection; when that connection goes (pmt
        // exits or dies, even by SIGKILL) the engine closes the shell's stdin, the shell ends and so
        // does the container: a running pmt container is proof that its pmt is alive (run-liveness.ts).
        OpenStdin: true,
        StdinOnce: true,
        Tty: false,
        ...(spec.user ? { User: spec.user } : {}),
        Labels: { ...spec.labels },
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        HostConfig: {
          // Mounts, not Binds: a host path may contain ':' (Binds would split it).
          Mounts: [
            ...spec.binds.map((b) => ({
              // An absolute path is a host directory; anything else names a volume (remote input).
              Type: b.hostPath.startsWith('/') ? ('bind' as const) : ('volume' as const),
              Source: b.hostPath,
              Target: b.containerPath,
              ReadOnly: b.readOnly,
            })),
            // Anonymous (removed with the container), and labelled like it: the reaper finds what a
            // failed removal leaves.
            ...spec.volumes.map((path) => ({ Type: 'volume', Target: path, VolumeOptions: { Labels: { ...spec.labels } } }) as unknown as Dockerode.MountSettings),
          ],
          NetworkMode: spec.networkMode,
          Memory: spec.limits.memoryBytes,
          // Equal to Memory: no swap on top, so the limit is the limit.
          MemorySwap: spec.limits.memoryBytes,
          NanoCpus: Math.round(spec.limits.cpus * 1e9),
          PidsLimit: spec.limits.pids,
          ReadonlyRootfs: spec.readOnlyRootfs,
          // exec: Docker's tmpfs default is noexec, which breaks scanners that unpack a helper into
          // /tmp and run it (exit 126), and protects nothing: the plugin runs any code it likes
          // through its shell and interpreters anyway. read_only_rootfs is about the image's files.
          ...(spec.readOnlyRootfs ? { Tmpfs: { '/tmp': 'rw,exec,nosuid,nodev,size=256m' } } : {}),
          // tini as PID 1 reaps zombies of the commands we exec and makes signals work.
          Init: true,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
        },
      });
    } catch (error) {
      throw toDockerError(`create a container from ${spec.image}`, error, this.endpoint);
    }
    let shell: MainShell | undefined;
    let attached: DockerPluginContainer;
    try {
      // Attached before it starts, as `docker run` does, so nothing the shell prints is missed.
      const stream = (await container.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true })) as Duplex;
      shell = new MainShell(stream, (raw, stdout, stderr) => this.docker.modem.demuxStream(raw, stdout, stderr), `\`${spec.command.join(' ')}\``);
      shell.greet();
      attached = new DockerPluginContainer(this.docker, container, shell, this.endpoint);
      hooks.onAttached?.(attached);
      const starting = container.start();
      hooks.onStarting?.();
      await starting;
    } catch (error) {
      shell?.close();
      await this.removeContainer(container.id).catch(() => undefined);
      throw toDockerError(`start a container from ${spec.image}`, error, this.endpoint);
    }
    return attached;
  }

  async listContainers(labels: Record<string, string | undefined>): Promise<ContainerSummary[]> {
    const label = Object.entries(labels).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
    try {
      const found = await this.docker.listContainers({ all: true, filters: { label } });
      return found.map((c) => ({ id: c.Id, labels: c.Labels, state: c.State, createdMs: c.Created * 1000 }));
    } catch (error) {
      throw toDockerError('list containers', error, this.endpoint);
    }
  }

  async createFilledVolume(spec: FilledVolumeSpec): Promise<FilledVolume> {
    try {
      return await createFilledVolume(this.docker, this, spec);
    } catch (error) {
      if (spec.signal?.aborted) throw error;
      throw toDockerError(`fill a volume through a container from ${spec.image}`, error, this.endpoint);
    }
  }

  async listVolumes(labels: Record<string, string | undefined>): Promise<VolumeSummary[]> {
    const label = Object.entries(labels).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
    try {
      const found = await this.docker.listVolumes({ filters: { label } });
      return (found.Volumes ?? []).map((v) => ({
        name: v.Name,
        labels: v.Labels ?? {},
        createdMs: Date.parse((v as { CreatedAt?: string }).CreatedAt ?? '') || 0,
      }));
    } catch (error) {
      throw toDockerError('list volumes', error, this.endpoint);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await removeVolume(this.docker, name);
    } catch (error) {
      throw toDockerError(`remove volume ${name.slice(0, 12)}`, error, this.endpoint);
    }
  }

  async engineNow(): Promise<Date> {
    try {
      const info = (await this.docker.info()) as { SystemTime?: string };
      const now = Date.parse(info.SystemTime ?? '');
      return Number.isNaN(now) ? new Date() : new Date(now);
    } catch (error) {
      throw toDockerError('tell its time', error, this.endpoint);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      // Force kills at once: a shell as PID 1 ignores SIGTERM, so a graceful stop would wait 10 s.
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      const status = dockerStatusCode(error);
      // 404: already gone; 409: removal already in progress (e.g. signal handler and agent at once).
      if (status === 404 || status === 409) return;
      throw toDockerError(`remove container ${id.slice(0, 12)}`, error, this.endpoint);
    }
  }
}

/** How long an idle main shell may take to end, with its container, once its input has ended. */
const SHELL_END_MS = 2_000;

class DockerPluginContainer implements PluginContainer {
  readonly id: string;

  constructor(
    private readonly docker: Dockerode,
    private readonly container: Dockerode.Container,
    private readonly shell: MainShell,
    private readonly endpoint: string,
  ) {
    this.id = container.id;
  }

  async runInMainShell(command: readonly string[], options?: MainShellOptions): Promise<ExecResult> {
    try {
      return await this.shell.run(command, options);
    } catch (error) {
      if (!(error instanceof MainShellGone) || (error.end !== 'ended' && error.end !== 'connection failed')) throw error;
      // Someone outside pmt (docker kill, stop, rm -f) or the memory limit may have ended it: the
      // engine knows, and says so rather than the shell's bare exit. Its last words are read at
      // once, while the engine's record is looked up: an exited container of a run with nothing
      // else running may be taken by another pmt's sweep soon (engine/run-liveness.ts).
      const [end, last] = await Promise.all([
        containerEnd(this.docker, this.container).catch(() => undefined),
        lastWords(this.container).catch(() => undefined),
      ]);
      if (end && end.by !== 'inside') throw new ContainerEndedOutside(end);
      if (error.end === 'connection failed') throw toDockerError("keep the connection to the container's main shell", error, this.endpoint);
      if (!last) throw error;
      // A shell that ends at once (missing, or not a shell) may do so before the attach stream
      // carries anything: its logged last words then say why. One that had been answering went
      // during a command: only that command's own output belongs in the message, never earlier
      // commands' (nor pmt's end lines) from the container's log.
      const said = error.answered ? error.said : error.said || last.output;
      const details = { ...error.details, exitCode: last.exitCode };
      // A program that started (no 126/127 from the init's exec) and exited by itself, not by a
      // signal, on pmt's first line — e.g. perl with a syntax error: not a shell, whatever it said.
      if (!error.answered && ![126, 127].includes(last.exitCode) && !(last.exitCode > 128 && last.exitCode < 160)) {
        const reason = `${this.shell.program} is not a POSIX shell: pmt writes shell commands to it, and it exited with code ${last.exitCode} on the first one`;
        throw new MainShellGone('not a shell', reason, said.trim().split('\n').map((line) => line.trim()).join(' | ').slice(0, 200), details);
      }
      throw new MainShellGone('ended', `${error.reason} with exit code ${last.exitCode}`, said, details);
    }
  }

  detach(): void {
    this.shell.close();
  }

  async finish(): Promise<void> {
    if (!this.shell.finish()) return;
    try {
      // Stopped by itself, the container needs no kill on removal: a kill runs runc once more in
      // the engine (~10 ms of CPU per container, which with many plugins the other containers'
      // starts wait for).
      await this.container.wait({ condition: 'not-running', abortSignal: AbortSignal.timeout(SHELL_END_MS) });
    } catch {
      // Not stopped in time (a shell that does not end at the end of its input), or the engine did
      // not say: the forced removal stops it.
    } finally {
      this.shell.close();
    }
  }

  async exec(command: readonly string[], options?: ExecOptions) {
    try {
      return await execInContainer(this.container, command, options);
    } catch (error) {
      if (options?.signal?.aborted) throw error;
      throw toDockerError(`run \`${command.join(' ')}\` in container ${this.id.slice(0, 12)}`, error, this.endpoint);
    }
  }

  async getArchive(path: string, signal?: AbortSignal): Promise<Readable> {
    // The engine answers 404 for a missing path; callers branch on it via dockerStatusCode.
    return (await this.container.getArchive({ path, abortSignal: signal })) as unknown as Readable;
  }

  async putArchive(path: string, tar: Readable, signal?: AbortSignal): Promise<void> {
    try {
      await putArchive(this.container, path, tar, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw toDockerError(`copy files into ${path} of container ${this.id.slice(0, 12)}`, error, this.endpoint);
    }
  }
}
