import type { ContainerSpec } from '../docker/container-runtime.js';
import { Labels } from '../docker/labels.js';
import type { ContainerSetup, PluginRun } from '../transport/result-collector.js';

export const INPUT_DIR = '/input';
export const RESULT_DIR = '/result';

export interface RunIdentity {
  readonly runId: string;
  readonly pid: number;
  readonly host: string;
}

/**
 * The container of one plugin run: the input read-only at /input, a fresh writable volume at
 * /result, the plugin's shell as the long-running main process, no network unless the transport
 * needs one, and labels that let any later pmt find and remove it.
 */
export function pluginContainerSpec(
  run: PluginRun,
  inputDir: string,
  identity: RunIdentity,
  setup: ContainerSetup,
): ContainerSpec {
  return {
    image: run.plugin.image,
    command: [run.plugin.shell],
    labels: {
      [Labels.run]: identity.runId,
      [Labels.plugin]: run.plugin.name,
      [Labels.pid]: String(identity.pid),
      [Labels.host]: identity.host,
    },
    binds: [{ hostPath: inputDir, containerPath: INPUT_DIR, readOnly: true }, ...setup.binds],
    volumes: [RESULT_DIR],
    env: {
      PMT_PLUGIN_NAME: run.plugin.name,
      PMT_PLUGIN_ID: String(run.id),
      PMT_RUN_ID: identity.runId,
      PMT_INPUT_DIR: INPUT_DIR,
      PMT_RESULT_DIR: RESULT_DIR,
      ...setup.env,
    },
    networkMode: setup.networkMode,
  };
}
