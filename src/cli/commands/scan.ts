import { Command, InvalidArgumentError } from 'commander';
import type { ExitCodeValue } from '../../errors.js';
import { durationOption } from '../duration-option.js';
import type { CliIO } from '../cli-io.js';
import { withCommonOptions, withSwarmOptions, type CommonOptions, type SwarmOptions } from '../common-options.js';
import { progressOption, type ProgressMode } from '../progress/progress-mode.js';
import { collectNames } from '../plugin-names.js';
import type { RuntimeFactory } from '../runtime-factory.js';

export interface ScanOptions extends CommonOptions, SwarmOptions {
  input: string;
  plugin?: string[];
  select?: string[];
  output?: string;
  concurrency?: number;
  timeout?: number;
  json: boolean;
  server?: string;
  upload: boolean;
  cache: boolean;
  dryRun: boolean;
  progress: ProgressMode;
  respectGitignore: boolean;
}

export const MAX_DEFAULT_CONCURRENCY = 8;

export function scanCommand(io: CliIO, runtime: RuntimeFactory, done: (code: ExitCodeValue) => void): Command {
  return withSwarmOptions(withCommonOptions(new Command('scan')))
    .description('run plugins on a directory, each in its own container, and collect their results')
    .option('-i, --input <dir>', 'directory to scan (mounted read-only at /input)', '.')
    .option('-p, --plugin <names>', 'plugin(s) to run: NAME, NAME,NAME or "all" (repeatable; default: the registry\'s default plugin)', collectNames)
    .option('-s, --select <names>', 'alias of -p, as in the original PMT client', collectNames)
    .option('-o, --output <dir>', 'where result files are saved (overrides PathDirResults)')
    .option('--concurrency <n>', `plugins run at once (default: number of plugins, at most ${MAX_DEFAULT_CONCURRENCY})`, positiveInteger)
    .option('--timeout <duration>', 'time limit per plugin, e.g. 90s or 10m (overrides the registry and DefaultTimeout; pulls do not count)', durationOption)
    .option('--server <url>', 'PMT server base URL to upload results to (overrides ServerUrl and PMT_SERVER_URL)')
    .option('--no-upload', 'keep results local even when a PMT server is configured')
    .option('--respect-gitignore', 'when the engine is remote and the input a git work tree, copy only what git does not ignore', false)
    .option('--no-cache', 'run every plugin even when cached results for this image and input exist')
    .option('--dry-run', 'print the resolved plan per plugin (image, mounts, env, limits, network, commands) and exit', false)
    .option('--json', 'print one JSON document on stdout (the run report, or the plan with --dry-run)', false)
    .addOption(progressOption())
    // What a scan does is loaded when one runs: `--help` and the other commands start without it.
    .action(async (options: ScanOptions) => (await import('../actions/scan.js')).scanAction(options, io, runtime, done));
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}
