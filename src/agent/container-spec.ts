import type { BindMount, ContainerLimits, ContainerSpec } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';
import type { ContainerSetup, PluginRun } from '../transport/result-collector.js';

export const INPUT_DIR = '/input';
export const RESULT_DIR = '/result';

/** Run as root before anything else when the container's user is not root: the fresh /result volume belongs to root. */
export const ROOT_CHMOD = ['chmod', '0777', RESULT_DIR] as const;

/** An image's or entry's user that is not root: `''`, `root` and uid 0 are root. */
export function runsAsNonRoot(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name !== '' && name !== 'root' && name !== '0';
}

/**
 * `bind` mounts the input directory read-only; `copy` (remote engines, which cannot see this
 * machine's files) ships it into a volume first, which the container then mounts read-only.
 */
export type InputMode = 'bind' | 'copy';

export interface RunIdentity {
  readonly runId: string;
  readonly pid: number;
  readonly host: string;
}

/** Labels on everything a plugin run creates: later pmt runs find leftovers by them. */
export function runLabels(run: PluginRun, identity: RunIdentity): Record<string, string> {
  return {
    [Labels.run]: identity.runId,
    [Labels.plugin]: run.plugin.name,
    [Labels.pid]: String(identity.pid),
    [Labels.host]: identity.host,
  };
}

/**
 * What every plugin's command finds in its environment, locally and on a swarm: the entry's own
 * `env`, then pmt's PMT_* variables, which the entry cannot replace.
 */
export function pluginEnv(run: PluginRun, identity: RunIdentity): Record<string, string> {
  return {
    ...run.plugin.env,
    PMT_PLUGIN_NAME: run.plugin.name,
    PMT_PLUGIN_ID: String(run.id),
    PMT_RUN_ID: identity.runId,
    PMT_INPUT_DIR: INPUT_DIR,
    PMT_RESULT_DIR: RESULT_DIR,
  };
}

/**
 * The container of one plugin run: the input read-only at /input, a fresh writable volume at
 * /result, the plugin's shell as the long-running main process, the plugin's network (none by
 * default) unless the transport needs the host's, its limits, and labels that let any later pmt
 * find and remove it. Pure, so `--dry-run` shows exactly what a run would create.
 */
export function pluginContainerSpec(
  run: PluginRun,
  /** A host directory, or the name of a volume holding a copy of the input. */
  inputSource: string,
  identity: RunIdentity,
  setup: ContainerSetup,
  limits: ContainerLimits,
  /** Read-only mounts over parts of /input (see shieldBinds); none for a copied input. */
  shield: readonly BindMount[] = [],
): ContainerSpec {
  return {
    image: run.plugin.image,
    command: [run.plugin.shell],
    labels: runLabels(run, identity),
    binds: [{ hostPath: inputSource, containerPath: INPUT_DIR, readOnly: true }, ...shield, ...setup.binds],
    volumes: [RESULT_DIR],
    env: { ...pluginEnv(run, identity), ...setup.env },
    // The TCP transport needs the host's network to reach 127.0.0.1; otherwise the plugin decides.
    networkMode: setup.needsHostNetwork ? 'host' : run.plugin.network,
    limits,
    user: run.plugin.user,
    readOnlyRootfs: run.plugin.readOnlyRootfs,
  };
}
