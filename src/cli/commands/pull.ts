import { Command } from 'commander';
import type { ContainerRuntime, DistributionProbe } from '../../docker/container-runtime.js';
import type { SwarmRuntime } from '../../docker/swarm-runtime.js';
import type { ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import { collectNames } from '../plugin-names.js';
import { durationOption } from '../duration-option.js';

export interface PullOptions extends CommonOptions {
  plugin?: string[];
  swarm?: boolean;
  timeout: number;
}

export type PullRuntime = ContainerRuntime & DistributionProbe & { readonly endpoint: string; defaultRegistry(): Promise<string>; swarm(): SwarmRuntime };

/** How long the swarm's nodes may take to pull one image, unless --timeout says otherwise. */
const SWARM_PULL_TIMEOUT_MS = 30 * 60_000;

export function pullCommand(io: CliIO, runtime: RuntimeFactory<PullRuntime>, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('pull'))
    .description('download the images of plugins that the Docker engine does not have yet, with the configured credentials')
    .option('-p, --plugin <names>', 'plugin(s) whose images to pull: NAME, NAME,NAME or "all" (repeatable; default: all)', collectNames)
    .option('--swarm', 'make every node of the swarm that --docker-host / DOCKER_HOST manages pull the images from their registry (also "Engine": "swarm")')
    .option('--timeout <duration>', 'swarm: how long the nodes may take to pull each image', durationOption, SWARM_PULL_TIMEOUT_MS)
    .addHelpText('after', '\nExit codes: 0 every image present or pulled (--swarm: on every node that takes tasks), 1 a pull failed, 2 usage or config error, 3 no Docker engine answers, 130/143 interrupted.')
    .action(async (options: PullOptions) => (await import('../actions/pull.js')).pullAction(options, io, runtime, done));
}
