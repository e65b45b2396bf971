import type { AuthResolver } from '../agent/ensure-image.js';
import type { DistributionProbe } from '../docker/container-runtime.js';
import type { SwarmNode, SwarmRuntime } from '../docker/swarm-runtime.js';
import { mapBounded } from '../engine/map-bounded.js';
import { PmtError } from '../errors.js';
import type { Plugin } from '../registry/plugin.js';
import { cannotListenError, listenProblem } from '../swarm/advertise-listen.js';
import { describeNode, pullCheckLabels } from '../swarm/node-labels.js';
import { pullFailureHint } from '../swarm/pull-failure-hint.js';
import { pullOnNodes } from '../swarm/pull-on-nodes.js';
import { swarmPreflight } from '../swarm/swarm-preflight.js';
import type { Finding } from './finding.js';

/** Pull checks in flight at once: each is one service with a task on every node. */
const CONCURRENCY = 4;

export interface SwarmDoctorEnv {
  readonly swarm: SwarmRuntime;
  /** The manager's registry lookups (GET /distribution), which pin each check to a digest. */
  readonly distribution: DistributionProbe;
  readonly endpoint: string;
  /** The config's RestAdvertiseAddr ('' = the address that reaches the manager), checked as a scan checks it. */
  readonly restAdvertiseAddr: string;
  readonly resolveAuth: AuthResolver;
  /** This doctor run's id on its services. */
  readonly runId: string;
  /** How long the nodes may take to pull one image. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Doctor in swarm mode: that the engine is a manager, each node (host name, role, state,
 * availability, engine version, resources), and — for real — that every node taking tasks can pull
 * each plugin's image from its registry (pullOnNodes), reported per node.
 */
export async function swarmFindings(plugins: readonly Plugin[], env: SwarmDoctorEnv): Promise<Finding[]> {
  let advertiseAddr: string;
  try {
    ({ advertiseAddr } = await swarmPreflight(env.swarm, env.endpoint, env.restAdvertiseAddr));
  } catch (error) {
    if (!(error instanceof PmtError)) throw error;
    return [failedSwarmCheck(error)];
  }
  // A scan's endpoint listens there: an address that is not this machine's fails every plugin.
  const listening = await listenProblem(advertiseAddr);
  if (listening !== undefined) return [failedSwarmCheck(cannotListenError(advertiseAddr, listening))];
  const nodes = (await env.swarm.listNodes()).sort((a, b) => a.hostname.localeCompare(b.hostname));
  const taking = nodes.filter(takesTasks);
  const swarm: Finding =
    taking.length > 0
      ? { check: 'swarm', status: 'ok', message: `${env.endpoint} manages a swarm of ${nodes.length} node(s), ${taking.length} taking tasks; their tasks would reach pmt at ${advertiseAddr}` }
      : { check: 'swarm', status: 'fail', message: `no node of the swarm takes tasks (${nodes.length} node(s), none ready and active)`, hint: 'bring a node up, or `docker node update --availability active NODE`' };
  const images = [...new Map(plugins.map((p) => [p.image, plugins.filter((q) => q.image === p.image)])).entries()];
  const pulls = taking.length === 0 ? [] : await mapBounded(images, CONCURRENCY, ([image, users], index) => pullFindings(image, users, index, taking, env));
  return [swarm, ...nodes.map(nodeFinding), ...pulls.flat()];
}

function failedSwarmCheck(error: PmtError): Finding {
  return { check: 'swarm', status: 'fail', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

function takesTasks(node: SwarmNode): boolean {
  return node.state === 'ready' && node.availability === 'active';
}

export function nodeFinding(node: SwarmNode): Finding {
  if (takesTasks(node)) return { check: 'node', status: 'ok', message: describeNode(node) };
  return {
    check: 'node',
    status: 'warn',
    message: `${describeNode(node)}: the swarm places no tasks on it`,
    hint: node.state === 'ready' ? `\`docker node update --availability active ${node.hostname || node.id}\` if it should take plugins` : 'scans run on the other nodes; check the node and its Docker engine',
  };
}

async function pullFindings(image: string, users: readonly Plugin[], index: number, nodes: readonly SwarmNode[], env: SwarmDoctorEnv): Promise<Finding[]> {
  const plugin = users.map((p) => p.name).join(', ');
  if (users.some((p) => p.build !== undefined)) {
    return [{ check: 'pull', status: 'fail', plugin, message: `${image} is built locally: no swarm node can pull it`, hint: 'publish it with `pmt push HOST:PORT` and use the docker_image lines it prints (or its --write-registry file)' }];
  }
  const { auth } = await env.resolveAuth(image);
  const result = await pullOnNodes({ swarm: env.swarm, distribution: env.distribution }, nodes, {
    image,
    shell: users[0]!.shell,
    auth,
    labels: pullCheckLabels(env.runId, 'doctor'),
    serviceName: `pmt-${env.runId}-pull-${index}`,
    timeoutMs: env.timeoutMs,
    signal: env.signal,
  });
  if (result.refused !== undefined) return [{ check: 'pull', status: 'fail', plugin, message: `no node can pull ${image}: ${result.refused}`, hint: pullFailureHint(result.refused) }];
  const failed = result.nodes.flatMap((n) => (n.outcome === 'failed' ? [n] : []));
  const pulled = result.nodes.filter((n) => n.outcome === 'pulled').map((n) => n.node.hostname);
  return [
    ...(pulled.length > 0 ? [{ check: 'pull' as const, status: 'ok' as const, plugin, message: `${pulled.join(', ')}: pulled ${result.pinned}` }] : []),
    ...failed.map((n): Finding => ({ check: 'pull', status: 'fail', plugin, message: `${n.node.hostname}: cannot pull ${image}: ${n.reason}`, hint: pullFailureHint(n.reason) })),
  ];
}
