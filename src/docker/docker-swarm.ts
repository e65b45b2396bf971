import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { RegistryAuth } from './container-runtime.js';
import { dockerStatusCode, toDockerError } from './docker-errors.js';
import { demuxFrames } from './log-frames.js';
import type {
  SwarmLogChunk,
  SwarmNode,
  SwarmRuntime,
  SwarmSecretSummary,
  SwarmServiceSpec,
  SwarmServiceSummary,
  SwarmState,
  SwarmTask,
} from './swarm-runtime.js';

type LabelFilter = Readonly<Record<string, string | undefined>>;

/** A swarm manager's API through dockerode (API 1.41); made by DockerRuntime.swarm(). */
export class DockerSwarm implements SwarmRuntime {
  constructor(
    private readonly docker: Dockerode,
    private readonly endpoint: string,
  ) {}

  async swarmState(): Promise<SwarmState> {
    const info = (await this.call('describe itself', () => this.docker.info())) as { Swarm?: EngineSwarmInfo; SystemTime?: string };
    const answeredAt = performance.now();
    const systemMs = Date.parse(info.SystemTime ?? '');
    const swarm = info.Swarm ?? {};
    return {
      ...(Number.isNaN(systemMs) ? {} : { engineNowMs: () => systemMs + (performance.now() - answeredAt) }),
      manager: swarm.ControlAvailable === true,
      localState: swarm.LocalNodeState ?? 'inactive',
      nodeAddr: swarm.NodeAddr ?? '',
      nodeId: swarm.NodeID ?? '',
    };
  }

  async isManager(): Promise<boolean> {
    try {
      await this.docker.swarmInspect();
      return true;
    } catch (error) {
      // 503: not a manager (outside a swarm, a worker, or a locked manager, which cannot act as one either).
      if (dockerStatusCode(error) === 503) return false;
      throw toDockerError('say whether it is a swarm manager', error, this.endpoint);
    }
  }

  async listNodes(): Promise<SwarmNode[]> {
    const nodes = (await this.call('list swarm nodes', () => this.docker.listNodes())) as EngineNode[];
    return nodes.map((n) => ({
      id: n.ID,
      hostname: n.Description?.Hostname ?? '',
      role: n.Spec?.Role ?? '',
      state: n.Status?.State ?? '',
      availability: n.Spec?.Availability ?? '',
      addr: n.Status?.Addr ?? '',
      cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
      memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
      engineVersion: n.Description?.Engine?.EngineVersion ?? '',
      labels: n.Spec?.Labels ?? {},
    }));
  }

  async createSecret(name: string, data: Buffer, labels: Readonly<Record<string, string>>): Promise<string> {
    const created = (await this.call(`create secret ${name}`, () =>
      this.docker.createSecret({ Name: name, Labels: { ...labels }, Data: data.toString('base64') }),
    )) as { id?: string; ID?: string };
    // dockerode wraps the answer ({ID}) in a Secret object (`id`).
    return created.id ?? created.ID ?? '';
  }

  async removeSecret(id: string): Promise<void> {
    await this.removing(`remove secret ${id}`, () => this.docker.getSecret(id).remove());
  }

  async createService(spec: SwarmServiceSpec, auth: RegistryAuth | undefined): Promise<string> {
    // dockerode sends `auth` base64-encoded in the X-Registry-Auth header, so that every node can pull.
    const service = (await this.call(`create service ${spec.Name}`, () =>
      this.docker.createService(auth as Dockerode.AuthConfig, structuredClone(spec) as unknown as Dockerode.CreateServiceOptions),
    )) as { id: string };
    return service.id;
  }

  async serviceTasks(serviceId: string): Promise<SwarmTask[]> {
    const tasks = (await this.call(`list the tasks of service ${serviceId}`, () =>
      this.docker.listTasks({ filters: { service: [serviceId] } }),
    )) as EngineTask[];
    return tasks
      .map((t) => ({
        id: t.ID,
        nodeId: t.NodeID ?? '',
        state: t.Status?.State ?? '',
        desiredState: t.DesiredState ?? '',
        message: t.Status?.Message ?? '',
        err: t.Status?.Err ?? '',
        exitCode: t.Status?.ContainerStatus?.ExitCode,
        containerId: t.Status?.ContainerStatus?.ContainerID ?? '',
        createdMs: Date.parse(t.CreatedAt ?? '') || 0,
      }))
      .sort((a, b) => b.createdMs - a.createdMs);
  }

  async *serviceLogs(serviceId: string, signal: AbortSignal): AsyncIterable<SwarmLogChunk> {
    let stream: Readable;
    try {
      stream = (await this.docker.getService(serviceId).logs({ follow: true, stdout: true, stderr: true, abortSignal: signal } as never)) as unknown as Readable;
    } catch (error) {
      if (signal.aborted) return;
      throw toDockerError(`send the logs of service ${serviceId}`, error, this.endpoint);
    }
    try {
      yield* demuxFrames(stream);
    } catch (error) {
      if (signal.aborted) return;
      throw toDockerError(`send the logs of service ${serviceId}`, error, this.endpoint);
    } finally {
      stream.destroy();
    }
  }

  async removeService(id: string): Promise<void> {
    await this.removing(`remove service ${id}`, () => this.docker.getService(id).remove());
  }

  async listServices(labels: LabelFilter): Promise<SwarmServiceSummary[]> {
    const found = (await this.call('list services', () => this.docker.listServices({ filters: { label: labelFilter(labels) } }))) as EngineObject[];
    return found.map(summary);
  }

  async listSecrets(labels: LabelFilter): Promise<SwarmSecretSummary[]> {
    const found = (await this.call('list secrets', () => this.docker.listSecrets({ filters: { label: labelFilter(labels) } }))) as EngineObject[];
    return found.map(summary);
  }

  private async call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toDockerError(action, error, this.endpoint);
    }
  }

  private async removing(action: string, request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
    } catch (error) {
      if (dockerStatusCode(error) === 404) return;
      throw toDockerError(action, error, this.endpoint);
    }
  }
}

function labelFilter(labels: LabelFilter): string[] {
  return Object.entries(labels).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
}

function summary(o: EngineObject): SwarmServiceSummary {
  return { id: o.ID, name: o.Spec?.Name ?? '', labels: o.Spec?.Labels ?? {}, createdMs: Date.parse(o.CreatedAt ?? '') || 0 };
}

interface EngineSwarmInfo {
  NodeID?: string;
  NodeAddr?: string;
  LocalNodeState?: string;
  ControlAvailable?: boolean;
}

interface EngineObject {
  ID: string;
  CreatedAt?: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

interface EngineNode {
  ID: string;
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number }; Engine?: { EngineVersion?: string } };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string };
}

interface EngineTask {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}
