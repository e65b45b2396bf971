import { containerLimits, pluginTimeout } from '../agent/container-limits.js';
import { INPUT_DIR } from '../agent/container-spec.js';
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/duration.js';
import type { SwarmServiceSpec } from '../docker/swarm-runtime.js';
import type { PlanFacts } from '../engine/plan-scan.js';
import type { Plugin } from '../registry/plugin.js';
import { MASKED, maskSecretEnv } from '../registry/secret-env.js';
import { pinnedImage } from './pinned-image.js';
import { secretName, swarmServiceSpec } from './service-spec.js';
import { stepLabel } from './step-log-entry.js';
import { TASK_STEPS } from './step-marker.js';
import { swarmTaskCommand } from './task-script.js';

/** What `pmt scan --swarm` would create for one plugin, without creating it. */
export interface SwarmPluginPlan {
  readonly plugin: string;
  readonly image: string;
  readonly timeout: string;
  readonly placementTimeout: string;
  readonly input: string;
  /** The service exactly as pmt would create it (placeholders for the run id, digest, secret and port). */
  readonly service: SwarmServiceSpec;
  /** The task's steps, in order, as the plugin's log names them. */
  readonly steps: readonly string[];
  readonly collect: string;
  readonly cache: string;
}

export interface SwarmPlanInputs {
  readonly plugins: readonly Plugin[];
  readonly inputDir: string;
  readonly config: Config;
  readonly timeoutOverrideMs: number | undefined;
  readonly pid: number;
  readonly respectGitignore: boolean;
  /** The address tasks would reach pmt at, or a placeholder when the manager was not asked. */
  readonly advertiseAddr: string;
  readonly facts?: Readonly<Record<string, PlanFacts>>;
}

/** The plan of a swarm scan, built by the same builders a run uses (swarmServiceSpec, swarmTaskCommand). */
export function planSwarm(inputs: SwarmPlanInputs): SwarmPluginPlan[] {
  const { config } = inputs;
  const identity = { runId: '<run id>', pid: inputs.pid, host: '<this host>' };
  return inputs.plugins.map((plugin, id) => {
    const run = { id, plugin };
    const facts = inputs.facts?.[plugin.name];
    const pinned = pinnedOrPlaceholder(plugin, facts);
    const task = swarmTaskCommand({
      shell: plugin.shell,
      cmd: plugin.cmd,
      user: plugin.user ?? facts?.imageUser,
      results: plugin.results,
      apiUrl: `http://${inputs.advertiseAddr}:<port>`,
      nonce: '<random per task>',
    });
    const spec = swarmServiceSpec({
      run,
      identity,
      pinnedImage: pinned,
      limits: containerLimits(plugin, config),
      secret: { id: '<secret id>', name: secretName(run, identity) },
      task: { ...task, command: task.command.map((part, i) => (i === 2 ? '<task script>' : part)) },
      placementTimeoutMs: config.swarmPlacementTimeoutMs,
    });
    const container = spec.TaskTemplate.ContainerSpec;
    // Secrets never leave pmt, not even in a plan.
    const env = Object.fromEntries(container.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const masked = Object.entries(maskSecretEnv(env)).map(([k, v]) => `${k}=${v}`);
    return {
      plugin: plugin.name,
      image: plugin.image,
      timeout: formatDuration(pluginTimeout(plugin, config, inputs.timeoutOverrideMs).ms),
      placementTimeout: formatDuration(config.swarmPlacementTimeoutMs),
      input: `${inputs.inputDir} streamed to the task (GET /input over TCP, ${inputs.respectGitignore ? 'without what git ignores' : 'every file'}) into a fresh volume at ${INPUT_DIR}, owned by nobody`,
      service: { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...container, Env: masked } } },
      steps: TASK_STEPS.map((step) => stepLabel(step, plugin)),
      collect: `POST /save over TCP to ${inputs.advertiseAddr} for ${plugin.results.join(', ')} (token: swarm secret ${MASKED})`,
      cache: facts?.cache ?? 'not checked',
    };
  });
}

function pinnedOrPlaceholder(plugin: Plugin, facts: PlanFacts | undefined): string {
  if (!facts?.repoDigests) return `${plugin.image} (pinned to its registry digest when the run pulls it on the manager)`;
  try {
    return pinnedImage(plugin.image, facts.repoDigests, plugin.name);
  } catch (error) {
    return `${plugin.image} (cannot run on a swarm: ${(error as Error).message})`;
  }
}

/** `pmt scan --swarm --dry-run` as text: per plugin the service spec as the manager would get it. */
export function swarmPlanToText(plans: readonly SwarmPluginPlan[]): string {
  return plans
    .map((plan) =>
      [
        `plugin ${plan.plugin}`,
        `  image:      ${plan.image}`,
        `  input:      ${plan.input}`,
        `  timeout:    ${plan.timeout} from the task's start (placement: ${plan.placementTimeout})`,
        '  steps:',
        ...plan.steps.map((step, i) => `    ${i + 1}. ${step}`),
        `  results:    ${plan.collect}`,
        `  cache:      ${plan.cache}`,
        '  service:',
        ...JSON.stringify(plan.service, null, 2).split('\n').map((line) => `    ${line}`),
      ].join('\n'),
    )
    .join('\n\n');
}
