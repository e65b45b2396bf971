import { containerLimits, pluginTimeout } from '../agent/container-limits.js';
import { INPUT_DIR, pluginContainerSpec, RESULT_DIR, ROOT_CHMOD, runsAsNonRoot } from '../agent/container-spec.js';
import type { Config } from '../config/config.js';
import { formatDuration } from '../config/duration.js';
import type { ContainerSpec } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';
import { MASKED, maskSecretEnv } from '../registry/secret-env.js';
import { postResultsCommand } from '../transport/post-results-script.js';
import { REST_PROBE, restContainerSetup } from '../transport/rest-collector.js';
import { compatibilityScript } from '../agent/check-compatibility.js';
import { probeKey } from '../agent/probe-answers.js';
import type { ContainerSetup } from '../transport/result-collector.js';

export interface PlanInputs {
  readonly plugins: readonly Plugin[];
  readonly inputDir: string;
  readonly config: Config;
  readonly timeoutOverrideMs: number | undefined;
  /** Whether the engine can bind-mount host paths; undefined when it did not answer. */
  readonly engineLocal: boolean | undefined;
  readonly pid: number;
  /** Per plugin name, what the engine knows before a run: the image's USER and the cache's answer. */
  readonly facts?: Readonly<Record<string, PlanFacts>>;
}

export interface PlanFacts {
  /** The local image's USER ('' = root); undefined when the image is not there (yet). */
  readonly imageUser: string | undefined;
  /** Whether a run would be served from the result cache, in words. */
  readonly cache: string;
  /** The local image's registry digests; undefined when the image is not there (yet). */
  readonly repoDigests?: readonly string[];
}

/** What `pmt scan` would do for one plugin, without doing any of it. */
export interface PluginPlan {
  readonly plugin: string;
  readonly image: string;
  readonly timeout: string;
  readonly transport: 'rest' | 'archive';
  readonly input: string;
  readonly container: ContainerSpec;
  /** Every command pmt would execute in the container, in order. */
  readonly commands: readonly string[];
  /** How results would leave the container. */
  readonly collect: string;
  /** Whether the results would come from the result cache instead of a container. */
  readonly cache: string;
}

/**
 * The fully resolved plan of a scan: per plugin the container exactly as the agent would create it
 * (same spec builder), with placeholders for what only exists during a run (run id, token, socket).
 */
export function planScan(inputs: PlanInputs): PluginPlan[] {
  const { config } = inputs;
  const local = inputs.engineLocal ?? true;
  const rest = config.restApi && local;
  const identity = { runId: '<run id>', pid: inputs.pid, host: '<this host>' };
  // Which plugin's container answers the transport probe for each kind of container (see ProbeAnswers).
  const probedBy = new Map<string, string>();
  return inputs.plugins.map((plugin, id) => {
    const setup: ContainerSetup = rest
      ? restContainerSetup(
          config.restTransport === 'unix'
            ? { kind: 'unix', hostDir: '<per-run socket dir>', socketPath: '<per-run socket dir>/api.sock' }
            : { kind: 'tcp', url: 'http://127.0.0.1:<port>' },
          MASKED,
        )
      : { env: {}, binds: [], needsHostNetwork: false };
    const spec = pluginContainerSpec(
      { id, plugin },
      local ? inputs.inputDir : '<volume with a copy of the input>',
      identity,
      setup,
      containerLimits(plugin, config),
    );
    const facts = inputs.facts?.[plugin.name];
    const user = plugin.user ?? facts?.imageUser;
    const chmod =
      user === undefined
        ? [`${ROOT_CHMOD.join(' ')} (as root, in an engine exec) — if the image's USER is not root (the image is not there to ask)`]
        : runsAsNonRoot(user)
          ? [`${ROOT_CHMOD.join(' ')} (as root, in an engine exec: the container runs as ${user})`]
          : [];
    const key = probeKey(plugin.image, spec);
    const answeredBy = rest ? probedBy.get(key) : undefined;
    if (rest && !answeredBy) probedBy.set(key, plugin.name);
    const commands = [
      `${[plugin.shell, '-c', compatibilityScript(undefined)].join(' ')} (written behind pmt's first line, before the container starts)`,
      ...chmod,
      ...(!rest
        ? []
        : answeredBy
          ? [`\`${REST_PROBE}\` not run: taken from the first alike container to start (${answeredBy}'s when it starts first: same image, shell, user, environment and limits)`]
          : [[plugin.shell, '-c', REST_PROBE].join(' ')]),
      [plugin.shell, '-c', plugin.cmd].join(' '),
      ...(rest ? [postResultsCommand(plugin.shell, plugin.results).map((part, i) => (i === 2 ? '<post-results script>' : part)).join(' ')] : []),
    ];
    return {
      plugin: plugin.name,
      image: plugin.image,
      timeout: formatDuration(pluginTimeout(plugin, config, inputs.timeoutOverrideMs).ms),
      transport: rest ? 'rest' : 'archive',
      // A scan first checks that the engine sees the directory (Docker-out-of-Docker); a dry run does not.
      input: local ? `${inputs.inputDir} bind-mounted read-only at ${INPUT_DIR} (copied instead if the engine turns out not to see it)` : `${inputs.inputDir} copied into ${INPUT_DIR} (remote engine)`,
      // Secrets never leave pmt, not even in a plan.
      container: { ...spec, env: maskSecretEnv(spec.env) },
      commands,
      collect: rest
        ? `POST /save over ${config.restTransport === 'unix' ? 'the per-run Unix socket' : 'TCP on 127.0.0.1'} for ${plugin.results.join(', ')}`
        : `archive copy of ${plugin.results.map((r) => `${RESULT_DIR}/${r}`).join(', ')}`,
      cache: facts?.cache ?? 'not checked',
    };
  });
}
