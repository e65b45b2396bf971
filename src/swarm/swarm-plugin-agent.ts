import { runLabels } from '../agent/container-spec.js';
import { containerLimits } from '../agent/container-limits.js';
import { deadlineSignal, type Deadline } from '../agent/deadline-signal.js';
import type { AgentContext } from '../agent/plugin-agent.js';
import type { PluginOutcome } from '../agent/plugin-outcome.js';
import { PluginRunRecord } from '../agent/plugin-run-record.js';
import { TERMINAL_TASK_STATES, type SwarmRuntime } from '../docker/swarm-runtime.js';
import type { RestEndpoint } from '../transport/rest-endpoint.js';
import type { PluginRun } from '../transport/result-collector.js';
import { judgeSteps } from './judge-steps.js';
import { pinnedImage } from './pinned-image.js';
import { secretName, swarmServiceSpec } from './service-spec.js';
import { newStepNonce } from './step-marker.js';
import { describeAsk } from './task-failure.js';
import { swarmTaskCommand } from './task-script.js';
import { LOG_DRAIN_MS, TaskSteps } from './task-steps.js';
import { watchTask, type TaskEnd } from './task-watch.js';

/** What a swarm run shares between its agents. */
export interface SwarmSide {
  readonly swarm: SwarmRuntime;
  /** The run's REST endpoint, on TCP at the advertise address. */
  readonly endpoint: () => Promise<RestEndpoint>;
  /** A node's hostname by its id. */
  readonly nodeName: (nodeId: string) => Promise<string>;
  /** How often a task's state is asked for. */
  readonly pollMs: number;
}

/**
 * One plugin's life cycle on a swarm, with the local agent's guarantees: image (on the manager,
 * pinned to its registry digest) → (cache) → token secret + one-shot service → the task's steps
 * from its service log, judged like local commands → results over REST. Never throws; the service
 * and its secret are removed in every case (and the task stops itself when pmt's lease ends).
 */
export async function runSwarmPluginAgent(context: AgentContext, side: SwarmSide, run: PluginRun): Promise<PluginOutcome> {
  const { plugin } = run;
  const logger = context.logger.child({ component: 'Swarm agent', plugin: plugin.name });
  const record = new PluginRunRecord(context, run, logger);
  // Stops the watch: the run's signal, or the plugin's deadline once its task starts.
  const stop = new AbortController();
  const interrupt = (): void => stop.abort(context.signal.reason);
  context.signal.addEventListener('abort', interrupt, { once: true });
  let deadline: Deadline | undefined;
  let endpoint: RestEndpoint | undefined;
  let secretId: string | undefined;
  let serviceId: string | undefined;
  let steps: TaskSteps | undefined;

  try {
    context.signal.throwIfAborted();
    const image = await record.prepare(context.runtime);
    if (!image) return record.outcome('cached', undefined);
    const log = record.log!;
    const pinned = pinnedImage(plugin.image, image.repoDigests, plugin.name);
    record.phase('starting');
    context.onEngineObjects();
    endpoint = await side.endpoint();
    const { token } = endpoint.register({
      id: run.id,
      plugin: plugin.name,
      results: plugin.results,
      input: { dir: context.inputDir, respectGitignore: context.respectGitignore, exclude: context.hiddenPaths },
    });
    const labels = runLabels(run, context.identity);
    const secret = { id: '', name: secretName(run, context.identity) };
    secret.id = secretId = await side.swarm.createSecret(secret.name, Buffer.from(token), labels);
    const nonce = newStepNonce();
    const apiUrl = endpoint.address.kind === 'tcp' ? endpoint.address.url : '';
    const task = swarmTaskCommand({ shell: plugin.shell, cmd: plugin.cmd, user: plugin.user ?? image.user, results: plugin.results, apiUrl, nonce });
    const limits = containerLimits(plugin, context.config);
    const spec = swarmServiceSpec({ run, identity: context.identity, pinnedImage: pinned, limits, secret, task, placementTimeoutMs: context.config.swarmPlacementTimeoutMs });
    // The same credentials as the manager's pull: every node pulls with them.
    const { auth } = await context.resolveAuth(plugin.image);
    // The endpoint listens already; its app (Fastify) is built while the swarm places and starts
    // the task, which asks for its input ~0.3 s later (the endpoint holds what comes before).
    serviceId = await side.swarm.createService(spec, auth);
    // Results of a swarm task come only over REST, also when it fails (--json, provenance).
    record.transport = 'rest';
    const serving = endpoint.ready();
    serving.catch(() => undefined); // awaited before the steps are judged
    // The run's held work (the sweep of dead runs' services, secrets and containers on the manager,
    // the input digest) starts while the swarm places and starts this task; before, its listings
    // queued this service's requests behind theirs on the manager.
    context.background.release();
    record.service = spec.Name;
    logger.info(`Service ${spec.Name} created from ${pinned}`);
    steps = new TaskSteps(side.swarm, serviceId, nonce, plugin, log, logger, (report) => {
      if (report.step === 'cmd' && report.exitCode === 0) record.phase('collecting');
    }, context.now);
    // Done when the log shows the task's last step (the results are in, or a step failed), or when
    // the task ends without it; whichever comes first. The task then ends by itself at once.
    let latest: TaskEnd = { task: { id: '', nodeId: '', state: 'new', desiredState: '', message: '', err: '', exitCode: undefined, containerId: '', createdMs: 0 }, node: '' };
    const seen = new AbortController();
    const watching = watchTask({
      swarm: side.swarm,
      serviceId,
      nodeName: side.nodeName,
      placementTimeoutMs: context.config.swarmPlacementTimeoutMs,
      asked: describeAsk(spec),
      pollMs: side.pollMs,
      signal: AbortSignal.any([stop.signal, seen.signal]),
      onTask: (task) => (latest = task),
      onPhase: (phase, node) => {
        record.node = node || record.node;
        record.phase(phase);
      },
      // Pulling on the node does not count against the plugin's time limit; from here on, all does.
      onStarting: () => {
        deadline = deadlineSignal(record.timeout.ms);
        deadline.signal.addEventListener('abort', () => stop.abort(deadline!.signal.reason), { once: true });
      },
    });
    watching.catch(() => undefined); // stopped below once the last step was seen
    const end = await Promise.race([watching, steps.lastStep.then(() => latest)]);
    seen.abort();
    record.node = end.node || record.node;
    logger.info(`Task ${end.task.state} on node ${end.node || '(none)'}${end.task.err ? `: ${end.task.err}` : ''}`);
    // The log may lag behind the task's end; a task that never had a container printed nothing.
    await steps.finish(end.task.containerId || !TERMINAL_TASK_STATES.has(end.task.state) ? LOG_DRAIN_MS : 0);
    record.exitCode = steps.reports.get('cmd')?.exitCode;
    await serving;
    judgeSteps({ run, reports: steps.reports, end, endpoint, filestore: context.filestore, limits, logPath: log.path });
    return await record.succeeded(image.id);
  } catch (error) {
    // What the task printed until now goes into the log, as a local run's cut-short command does.
    await steps?.finish(0).catch(() => undefined);
    return await record.failed(error, deadline?.signal, 'service');
  } finally {
    deadline?.clear();
    context.signal.removeEventListener('abort', interrupt);
    // Ends the task's lease: a task still running stops itself, even if the removal below fails.
    endpoint?.unregister(run.id);
    context.background.add(removeService(side.swarm, serviceId, secretId, record));
  }
}

/** The service first (its task holds the secret), then the secret; failures are logged, the run's sweep retries. */
async function removeService(swarm: SwarmRuntime, serviceId: string | undefined, secretId: string | undefined, record: PluginRunRecord): Promise<void> {
  if (serviceId) {
    await swarm.removeService(serviceId).catch((error: unknown) => record.logger.error(`Could not remove service ${record.service ?? serviceId}: ${String(error)}`));
  }
  if (secretId) {
    await swarm.removeSecret(secretId).catch((error: unknown) => record.logger.error(`Could not remove secret ${secretId}: ${String(error)}`));
  }
}
