import { Command } from 'commander';
import type { ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, type CommonOptions } from '../common-options.js';
import { collectNames } from '../plugin-names.js';
import type { RuntimeFactory } from '../runtime-factory.js';

export interface BuildCommandOptions extends CommonOptions {
  plugin?: string[];
  force: boolean;
  json: boolean;
  quiet: boolean;
}

export function buildCommand(io: CliIO, runtime: RuntimeFactory, done: (code: ExitCodeValue) => void): Command {
  return withCommonOptions(new Command('build'))
    .description('build the images of registry entries that have a `build` directory, through the Docker engine (skips images built from the same directory state)')
    .option('-p, --plugin <names>', 'plugin(s) to build: NAME, NAME,NAME or "all" (repeatable; default: every entry with build)', collectNames)
    .option('--force', 'build even when the image was built from the directory as it is now', false)
    .option('-q, --quiet', 'say nothing about images that are up to date', false)
    .option('--json', 'print one JSON document', false)
    .addHelpText(
      'after',
      '\nEach image is labelled pmt.build-context=<hash of its directory>. A Dockerfile marked `# pmt-build: optional`\n' +
        'that fails (e.g. an unreachable download) is skipped unless named with -p.\n' +
        'Exit codes: 0 every image built, up to date or skipped, 1 a build failed, 2 usage or config error, 3 no Docker engine answers.',
    )
    .action(async (options: BuildCommandOptions) => (await import('../actions/build.js')).buildAction(options, io, runtime, done));
}
