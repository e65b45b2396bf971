import { Command } from 'commander';
import type { ContainerRuntime, ImagePublisher } from '../../docker/container-runtime.js';
import type { ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import { collectNames } from '../plugin-names.js';

export interface PushOptions extends CommonOptions {
  plugin?: string[];
  writeRegistry?: string;
}

export type PushRuntime = ContainerRuntime & ImagePublisher & { defaultRegistry(): Promise<string> };

export function pushCommand(io: CliIO, runtime: RuntimeFactory<PushRuntime>, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('push'))
    .description('publish plugin images of this Docker engine to a registry (e.g. the one a swarm pulls from), with the configured credentials')
    .argument('<registry>', 'the registry as it starts an image reference: HOST:PORT')
    .option('-p, --plugin <names>', 'plugin(s) whose images to push: NAME, NAME,NAME or "all" (repeatable; default: all)', collectNames)
    .option('--write-registry <file>', 'also write a registry file that extends the one used, with the pushed images as docker_image')
    .addHelpText('after', '\nEach image goes to REGISTRY/<repository>:<tag> (pmt/licensee:9.15.2 → HOST:PORT/pmt/licensee:9.15.2); the tag pmt makes for that is removed again.\nExit codes: 0 every image pushed, 1 a push failed, 2 usage or config error, 3 no Docker engine answers, 130/143 interrupted.')
    .action(async (registryHost: string, options: PushOptions) =>
      (await import('../actions/push.js')).pushAction(registryHost, options, io, runtime, done),
    );
}
