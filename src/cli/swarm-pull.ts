import { randomBytes } from 'node:crypto';
import type { AuthResolver } from '../agent/ensure-image.js';
import type { DistributionProbe } from '../docker/container-runtime.js';
import type { SwarmRuntime } from '../docker/swarm-runtime.js';
import { escapeControls } from '../log/escape-controls.js';
import type { Plugin } from '../registry/plugin.js';
import { pullCheckLabels } from '../swarm/node-labels.js';
import { pullFailureHint } from '../swarm/pull-failure-hint.js';
import { SCHEDULABLE, pullOnNodes } from '../swarm/pull-on-nodes.js';
import { requireSwarmManager } from '../swarm/swarm-preflight.js';
import type { CliIO } from './cli-io.js';
import { byImage } from './plugins-by-image.js';

export interface SwarmPullEnv {
  readonly io: CliIO;
  readonly engine: DistributionProbe & { readonly endpoint: string; swarm(): SwarmRuntime };
  readonly resolveAuth: AuthResolver;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** What to say about a plugin whose image is built from a local directory: nodes cannot get it. */
const BUILT_LOCALLY = 'built locally, so no swarm node can pull it — publish it with `pmt push HOST:PORT` and use the docker_image lines it prints (or its --write-registry file)';

/**
 * `pmt pull --swarm`: every node that takes tasks pulls each selected image from its registry (one
 * pull check per image, see pullOnNodes), with its progress and outcome per node. Resolves with the
 * number of images some node could not get.
 */
export async function pullOnSwarm(plugins: readonly Plugin[], env: SwarmPullEnv): Promise<{ pulled: number; failed: number }> {
  const { io, engine } = env;
  const swarm = engine.swarm();
  await requireSwarmManager(swarm, engine.endpoint);
  const nodes = (await swarm.listNodes()).sort((a, b) => a.hostname.localeCompare(b.hostname));
  const images = [...byImage(plugins)];
  if (!nodes.some(SCHEDULABLE)) {
    // Else every image would count as pulled "on every node that takes tasks": on none.
    const all = images.map(([image]) => image).join(', ');
    io.stderr.write(`pmt: no node of the swarm takes tasks (${nodes.length} node(s), none ready and active), so none can pull ${all} — bring a node up, or \`docker node update --availability active NODE\`\n`);
    return { pulled: 0, failed: images.length };
  }
  const runId = randomBytes(6).toString('hex');
  const labels = pullCheckLabels(runId, 'pull');
  const counts = { pulled: 0, failed: 0 };
  let index = 0;
  for (const [image, users] of images) {
    if (env.signal.aborted) break;
    const names = users.map((p) => p.name).join(', ');
    const built = users.find((p) => p.build !== undefined);
    if (built) {
      counts.failed++;
      io.stderr.write(`pmt: not pulling ${image} (plugin ${names}) on the swarm: ${BUILT_LOCALLY}\n`);
      continue;
    }
    const { auth, source } = await env.resolveAuth(image);
    io.stdout.write(`${image}: pulling on the swarm's nodes (credentials: ${source})\n`);
    const result = await pullOnNodes(
      { swarm, distribution: engine },
      nodes,
      {
        image,
        shell: users[0]!.shell,
        auth,
        labels,
        serviceName: `pmt-${runId}-pull-${index++}`,
        timeoutMs: env.timeoutMs,
        signal: env.signal,
        onState: (node, state) => {
          if (state === 'preparing') io.stdout.write(`  ${node.hostname}: pulling\n`);
        },
      },
    );
    if (result.refused !== undefined) {
      // The registry said no to the manager: the same for every node, so said once.
      counts.failed++;
      io.stderr.write(`pmt: cannot pull ${image} on the swarm (plugin ${names}; credentials: ${source}): ${escapeControls(result.refused)} — ${pullFailureHint(result.refused)}\n`);
      continue;
    }
    let failed = false;
    for (const pull of result.nodes) {
      if (pull.outcome === 'pulled') io.stdout.write(`  ${pull.node.hostname}: has ${result.pinned}\n`);
      else if (pull.outcome === 'skipped') io.stdout.write(`  ${pull.node.hostname}: skipped, ${pull.reason}\n`);
      else {
        failed = true;
        io.stderr.write(`pmt: ${pull.node.hostname}: cannot pull ${image} (plugin ${names}; credentials: ${source}): ${escapeControls(pull.reason)} — ${pullFailureHint(pull.reason)}\n`);
      }
    }
    if (failed) counts.failed++;
    else counts.pulled++;
  }
  return counts;
}
