import { Command } from 'commander';
import type { ContainerRuntime, DistributionProbe, FileSharingProbe, VolumeRuntime } from '../../docker/container-runtime.js';
import type { SwarmRuntime } from '../../docker/swarm-runtime.js';
import type { ExitCodeValue } from '../../errors.js';
import { durationOption } from '../duration-option.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';
import type { RuntimeFactory } from '../runtime-factory.js';

export interface DoctorOptions extends CommonOptions {
  json: boolean;
  fix: boolean;
  swarm?: boolean;
  timeout: number;
}

/** How long the swarm's nodes may take to pull one image in doctor's check, unless --timeout says otherwise. */
const SWARM_PULL_CHECK_TIMEOUT_MS = 2 * 60_000;

export type DoctorRuntime = ContainerRuntime & DistributionProbe & VolumeRuntime & FileSharingProbe & { defaultRegistry(): Promise<string>; swarm(): SwarmRuntime };

export function doctorCommand(io: CliIO, runtime: RuntimeFactory<DoctorRuntime>, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('doctor'))
    .description('check that pmt can run: registry and config, the Docker engine, every plugin image, curl for the REST transport, and containers left by dead pmt runs')
    .option('--fix', 'remove containers and volumes (on a swarm manager: services and secrets too) left behind by pmt runs that are gone', false)
    .option('--json', 'print one JSON document', false)
    .option('--swarm', 'check the swarm that --docker-host / DOCKER_HOST manages: its nodes, and that each pulls every plugin image (also "Engine": "swarm")')
    .option('--timeout <duration>', "swarm: how long the nodes may take to pull each image in the check", durationOption, SWARM_PULL_CHECK_TIMEOUT_MS)
    .addHelpText('after', '\nExit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 the registry or config is invalid, 3 no Docker engine answers, 130/143 interrupted.')
    .action(async (options: DoctorOptions) => (await import('../actions/doctor.js')).doctorAction(options, io, runtime, done));
}
