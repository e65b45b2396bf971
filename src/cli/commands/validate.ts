import { Command } from 'commander';
import type { ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';

export type ValidateOptions = CommonOptions & { json: boolean };

export function validateCommand(io: CliIO, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('validate'))
    .description('check the plugin registry and the core engine config; print every problem as file:line:col (exit 0 or 2)')
    .option('--json', 'print one JSON document', false)
    .action(async (options: ValidateOptions) => (await import('../actions/validate.js')).validateAction(options, io, done));
}
