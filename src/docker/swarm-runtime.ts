import type { RegistryAuth } from './container-runtime.js';

/**
 * What pmt needs from a Docker Swarm manager to run plugins as swarm jobs (see SWARM-DESIGN.md).
 * The Docker implementation (docker-swarm.ts) is the only code that talks to dockerode; tests of
 * the orchestration may pass a fake. Every "remove" is idempotent: an object already gone is fine.
 */
export interface SwarmRuntime {
  /** The engine's swarm facts (GET /info); `manager` is false on a worker or outside a swarm. */
  swarmState(): Promise<SwarmState>;
  /**
   * Whether the engine is a swarm manager, and nothing else: GET /swarm (~1 ms, which only a
   * manager answers) instead of GET /info, which the engine gathers from runc, its init and
   * containerd (~7 ms alone, ~60 ms beside a container start).
   */
  isManager(): Promise<boolean>;
  listNodes(): Promise<SwarmNode[]>;
  /** Creates a secret holding `data`; resolves with its id. */
  createSecret(name: string, data: Buffer, labels: Readonly<Record<string, string>>): Promise<string>;
  removeSecret(id: string): Promise<void>;
  /** Creates a service (the spec as the Engine API takes it); auth goes in X-Registry-Auth. Resolves with its id. */
  createService(spec: SwarmServiceSpec, auth: RegistryAuth | undefined): Promise<string>;
  /** The service's tasks, newest first. */
  serviceTasks(serviceId: string): Promise<SwarmTask[]>;
  /**
   * The service's logs from its start, followed (streamed, demultiplexed, never whole in memory);
   * ends when the engine ends the stream or `signal` aborts (then it simply ends, without error).
   */
  serviceLogs(serviceId: string, signal: AbortSignal): AsyncIterable<SwarmLogChunk>;
  removeService(id: string): Promise<void>;
  /** Services carrying all of the given labels (any value when the value is undefined). */
  listServices(labels: Readonly<Record<string, string | undefined>>): Promise<SwarmServiceSummary[]>;
  /** Secrets carrying all of the given labels (any value when the value is undefined). */
  listSecrets(labels: Readonly<Record<string, string | undefined>>): Promise<SwarmSecretSummary[]>;
}

export interface SwarmState {
  /** This engine is a swarm manager (it can create services). */
  readonly manager: boolean;
  /** `inactive`, `pending`, `active`, `error` or `locked` (the engine's LocalNodeState). */
  readonly localState: string;
  /** The address other nodes reach this node at ('' outside a swarm). */
  readonly nodeAddr: string;
  readonly nodeId: string;
  /**
   * The engine's clock now (ms since the epoch): its `SystemTime` at this answer plus the local
   * monotonic time since; undefined when the engine did not say.
   */
  engineNowMs?(): number;
}

export interface SwarmNode {
  readonly id: string;
  readonly hostname: string;
  /** `manager` or `worker`. */
  readonly role: string;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  readonly state: string;
  /** `active`, `pause`, `drain`. */
  readonly availability: string;
  readonly addr: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  /** The node's Docker engine version ('' when it does not say). */
  readonly engineVersion?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface SwarmTask {
  readonly id: string;
  /** '' until the scheduler assigns it. */
  readonly nodeId: string;
  /**
   * The engine's task state: new, allocated, pending, assigned, accepted, preparing, ready,
   * starting, running, complete, shutdown, failed, rejected, remove, orphaned.
   */
  readonly state: string;
  readonly desiredState: string;
  readonly message: string;
  /** The engine's error text ('' when none), e.g. "no suitable node (insufficient resources on 2 nodes)". */
  readonly err: string;
  /** The task container's exit code once it has exited. */
  readonly exitCode: number | undefined;
  readonly containerId: string;
  readonly createdMs: number;
}

/** The task states after which a task never runs again. */
export const TERMINAL_TASK_STATES: ReadonlySet<string> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

export interface SwarmLogChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface SwarmServiceSummary {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** When the manager created it (ms since the epoch; 0 when unknown). */
  readonly createdMs: number;
}

export interface SwarmSecretSummary {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdMs: number;
}

/** A service spec as the Engine API (1.41) takes it: the part of it pmt uses. */
export interface SwarmServiceSpec {
  readonly Name: string;
  readonly Labels: Readonly<Record<string, string>>;
  readonly TaskTemplate: {
    readonly ContainerSpec: {
      readonly Image: string;
      readonly Command: readonly string[];
      readonly Args?: readonly string[];
      readonly Env: readonly string[];
      readonly User: string;
      readonly Labels: Readonly<Record<string, string>>;
      readonly Mounts: readonly SwarmMount[];
      readonly ReadOnly: boolean;
      readonly CapabilityDrop?: readonly string[];
      readonly Secrets: readonly SwarmSecretReference[];
      /** Nanoseconds. */
      readonly StopGracePeriod: number;
      readonly Init?: boolean;
    };
    readonly Resources: {
      readonly Limits: { readonly NanoCPUs?: number; readonly MemoryBytes?: number; readonly Pids?: number };
      readonly Reservations: { readonly NanoCPUs?: number; readonly MemoryBytes?: number };
    };
    readonly RestartPolicy: { readonly Condition: 'none' };
    readonly Placement: { readonly Constraints: readonly string[] };
    readonly Networks: readonly { readonly Target: string }[];
  };
  /**
   * A plugin run: one replicated service of one task (Replicated; ReplicatedJob is kept for
   * reading). `Global`: one task on every node that can take it (pmt's pull check). Never the job
   * modes for new services: Docker 20.10 keeps a removed job's tasks on the nodes (moby/moby#42789).
   */
  readonly Mode:
    | { readonly Replicated: { readonly Replicas: number } }
    | { readonly ReplicatedJob: { readonly MaxConcurrent: number; readonly TotalCompletions: number } }
    | { readonly Global: Record<string, never> };
}

export interface SwarmMount {
  readonly Type: 'volume' | 'tmpfs';
  readonly Target: string;
  readonly ReadOnly?: boolean;
  /** NoCopy: the fresh volume does not get what the image holds at Target. */
  readonly VolumeOptions?: { readonly Labels: Readonly<Record<string, string>>; readonly NoCopy?: boolean };
  readonly TmpfsOptions?: { readonly SizeBytes?: number; readonly Mode?: number };
}

export interface SwarmSecretReference {
  /** The secret's id (or name). */
  readonly SecretID: string;
  readonly SecretName: string;
  readonly File: { readonly Name: string; readonly UID: string; readonly GID: string; readonly Mode: number };
}
