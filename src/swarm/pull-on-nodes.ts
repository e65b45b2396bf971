import type { DistributionProbe, RegistryAuth } from '../docker/container-runtime.js';
import type { SwarmNode, SwarmRuntime, SwarmServiceSpec, SwarmTask } from '../docker/swarm-runtime.js';
import { TERMINAL_TASK_STATES } from '../docker/swarm-runtime.js';
import { formatDuration } from '../config/duration.js';
import { nameOf } from './pinned-image.js';

export interface NodePullRequest {
  /** The image as the registry entry names it (`HOST:PORT/repository:tag`). */
  readonly image: string;
  /** A POSIX shell in the image (the plugin's): each node runs `<shell> -c true` from it. */
  readonly shell: string;
  readonly auth: RegistryAuth | undefined;
  /** pmt's labels (pmt.run, pmt.pid, pmt.host, and what marks doctor's or pull's objects). */
  readonly labels: Readonly<Record<string, string>>;
  /** `pmt-<runId>-pull-<n>`. */
  readonly serviceName: string;
  /** How long the nodes may take, pulls included; a node not done by then fails. */
  readonly timeoutMs: number;
  /** Aborting removes the service and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** A node's task state when it changes (`preparing`: pulling). */
  readonly onState?: (node: SwarmNode, state: string) => void;
  readonly pollMs?: number;
  /**
   * A Global service gets its tasks at once; a node still without one after this long, when every
   * other task has ended, gets none (the image's platform or the node does not fit). Default 10 s.
   */
  readonly placementGraceMs?: number;
}

export type NodePull =
  | { readonly node: SwarmNode; readonly outcome: 'pulled' }
  | { readonly node: SwarmNode; readonly outcome: 'failed' | 'skipped'; readonly reason: string };

export interface NodePullResult {
  /** `repository@sha256:…`, the image every node got; undefined when the registry did not serve it. */
  readonly pinned: string | undefined;
  /** Why no node was asked: the registry's answer to the manager (every node then fails with it). */
  readonly refused?: string;
  readonly nodes: readonly NodePull[];
}

/** Whether the swarm places tasks on `node` (Ready, availability active). */
export const SCHEDULABLE = (node: SwarmNode): boolean => node.state === 'ready' && node.availability === 'active';

/**
 * Proves that every node that takes tasks (Ready, availability active) can pull an image from its
 * registry, by making it do so: one `Global` service of `<shell> -c true` pinned to the digest the
 * manager resolves (as a scan pins it), with the registry login, never restarted — each node runs
 * one task, which pulls the image first. A task whose container was created has the image; one
 * rejected before that could not pull it. The service is removed in every case (failure, timeout,
 * abort), and with it the task containers on every node. Nodes that take no tasks are skipped.
 * Used by `pmt doctor` and `pmt pull` in swarm mode.
 */
export async function pullOnNodes(
  engine: { readonly swarm: SwarmRuntime; readonly distribution: DistributionProbe },
  nodes: readonly SwarmNode[],
  request: NodePullRequest,
): Promise<NodePullResult> {
  const skipped: NodePull[] = nodes.filter((n) => !SCHEDULABLE(n)).map((node) => ({ node, outcome: 'skipped', reason: `it takes no tasks (${node.state}, ${node.availability})` }));
  const targets = nodes.filter(SCHEDULABLE);
  if (targets.length === 0) return { pinned: undefined, nodes: skipped };
  const answer = await engine.distribution.inspectDistribution(request.image, request.auth, request.signal);
  if (!answer.available) {
    const reason = `its registry does not serve it (asked through the manager): ${answer.reason}`;
    return { pinned: undefined, refused: reason, nodes: [...targets.map((node): NodePull => ({ node, outcome: 'failed', reason })), ...skipped] };
  }
  // As `docker service create` pins it: every node runs that image, whatever the tag means later.
  const pinned = request.image.includes('@') ? request.image : `${nameOf(request.image)}@${answer.digest}`;
  const id = await engine.swarm.createService(pullServiceSpec(request, pinned), request.auth);
  let pulls: NodePull[];
  try {
    pulls = await waitForNodes(engine.swarm, id, targets, request);
  } catch (error) {
    // The first failure (an abort: Ctrl-C) is what the caller hears; a failed removal must not
    // replace it (the service is labelled: a later sweep removes it).
    await engine.swarm.removeService(id).catch(() => undefined);
    throw error;
  }
  await engine.swarm.removeService(id);
  return { pinned, nodes: [...pulls, ...skipped] };
}

/** The service: one task per node, no restarts, no capabilities, tiny limits, pmt's labels on service and task containers. */
export function pullServiceSpec(request: Pick<NodePullRequest, 'shell' | 'labels' | 'serviceName'>, pinned: string): SwarmServiceSpec {
  return {
    Name: request.serviceName,
    Labels: { ...request.labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: pinned,
        Command: [request.shell, '-c', 'true'],
        Env: [],
        // The image's own user.
        User: '',
        Labels: { ...request.labels },
        Mounts: [],
        ReadOnly: true,
        CapabilityDrop: ['ALL'],
        Secrets: [],
        StopGracePeriod: 1e9,
      },
      Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024, Pids: 64 }, Reservations: {} },
      RestartPolicy: { Condition: 'none' },
      Placement: { Constraints: [] },
      // As a scan's tasks: the nodes need no network of their own for it.
      Networks: [{ Target: 'host' }],
    },
    Mode: { Global: {} },
  };
}

async function waitForNodes(swarm: SwarmRuntime, serviceId: string, targets: readonly SwarmNode[], request: NodePullRequest): Promise<NodePull[]> {
  const started = Date.now();
  const deadline = started + request.timeoutMs;
  const seen = new Map<string, string>();
  for (;;) {
    if (request.signal?.aborted) throw request.signal.reason;
    const tasks = await swarm.serviceTasks(serviceId);
    // serviceTasks lists the newest first: a node's current task.
    const taskOf = (node: SwarmNode): SwarmTask | undefined => tasks.find((t) => t.nodeId === node.id);
    for (const node of targets) {
      const state = taskOf(node)?.state;
      if (state !== undefined && seen.get(node.id) !== state) {
        seen.set(node.id, state);
        request.onState?.(node, state);
      }
    }
    const ended = targets.filter((node) => TERMINAL_TASK_STATES.has(taskOf(node)?.state ?? ''));
    const unplaced = targets.filter((node) => taskOf(node) === undefined);
    const placementOver = Date.now() - started >= (request.placementGraceMs ?? 10_000);
    const done = ended.length === targets.length || (placementOver && ended.length + unplaced.length === targets.length);
    if (done || Date.now() >= deadline) return targets.map((node) => nodeOutcome(node, taskOf(node), request.timeoutMs));
    await pause(request.pollMs ?? 250, request.signal);
  }
}

/** What a node's task says about its pull. */
export function nodeOutcome(node: SwarmNode, task: SwarmTask | undefined, timeoutMs: number): NodePull {
  if (task === undefined) return { node, outcome: 'failed', reason: 'the swarm gave it no task (does the image have a variant for its platform?)' };
  // A container exists only once its image does (whatever `true` then did).
  if (task.state === 'complete' || task.containerId !== '') return { node, outcome: 'pulled' };
  if (!TERMINAL_TASK_STATES.has(task.state)) {
    const doing = task.state === 'preparing' ? ', still pulling' : '';
    return { node, outcome: 'failed', reason: `not done within ${formatDuration(timeoutMs)} (its task is ${task.state}${doing})` };
  }
  return { node, outcome: 'failed', reason: task.err || task.message || `its task ended ${task.state}` };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
