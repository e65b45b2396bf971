import { Command } from 'commander';
import type { ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';

export interface CacheOptions {
  config?: string;
}

/** `pmt cache clear` and `pmt cache path`: the result cache, located as a scan locates it. */
export function cacheCommand(io: CliIO, done: (code: ExitCodeValue) => void): Command {
  const output = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  const sub = (name: string): Command =>
    new Command(name)
      .option('-c, --config <file>', 'core engine config (default: PMT_CONFIG, ./core_engine_config.json, the user config dir, built-in defaults)')
      .exitOverride()
      .configureOutput(output);
  // The config and the cache are loaded when a sub-command runs: `--help` starts without them.
  const actions = (): Promise<typeof import('../actions/cache.js')> => import('../actions/cache.js');

  return new Command('cache')
    .description('the cache of plugin results (CacheDir, else $XDG_CACHE_HOME/pmt or ~/.cache/pmt)')
    .addCommand(
      sub('clear')
        .description('remove every cached result set')
        .action(async (options: CacheOptions) => (await actions()).clearCacheAction(options, io, done)),
    )
    .addCommand(
      sub('path')
        .description('print the cache directory')
        .action(async (options: CacheOptions) => (await actions()).cachePathAction(options, io, done)),
    );
}
