import { Command } from 'commander';
import type { ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import type { RuntimeFactory } from '../runtime-factory.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';

export interface ListOptions extends CommonOptions {
  json: boolean;
}

export function listCommand(io: CliIO, runtime: RuntimeFactory, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('list'))
    .description('list the plugins of the registry and whether their images are on the Docker engine (alias: pmt -l)')
    .option('--json', 'print one JSON document', false)
    // What listing does (the registry, the engine) is loaded when it runs: `--help` starts without it.
    .action(async (options: ListOptions) => (await import('../actions/list.js')).listAction(options, io, runtime, done));
}
