import { Command } from 'commander';
import { cacheDirOf } from '../../cache/cache-dir.js';
import { ResultCache } from '../../cache/result-cache.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import { loadConfig } from '../load-inputs.js';

interface CacheOptions {
  config?: string;
}

const MiB = 2 ** 20;

/** `pmt cache clear` and `pmt cache path`: the result cache, located as a scan locates it. */
export function cacheCommand(io: CliIO, done: (code: ExitCodeValue) => void): Command {
  const output = { writeOut: (s: string) => io.stdout.write(s), writeErr: (s: string) => io.stderr.write(s) };
  const cacheDir = async (options: CacheOptions): Promise<string> =>
    cacheDirOf(await loadConfig(options, io), io.env);
  const sub = (name: string): Command =>
    new Command(name)
      .option('-c, --config <file>', 'core engine config (default: PMT_CONFIG, ./core_engine_config.json, the user config dir, built-in defaults)')
      .exitOverride()
      .configureOutput(output);

  return new Command('cache')
    .description('the cache of plugin results (CacheDir, else $XDG_CACHE_HOME/pmt or ~/.cache/pmt)')
    .addCommand(
      sub('clear')
        .description('remove every cached result set')
        .action(async (options: CacheOptions) => {
          const dir = await cacheDir(options);
          const { entries, bytes } = await new ResultCache(dir).clear();
          io.stdout.write(`Removed ${entries} cached result set(s) (${(bytes / MiB).toFixed(1)} MiB) from ${dir}\n`);
          done(ExitCode.ok);
        }),
    )
    .addCommand(
      sub('path')
        .description('print the cache directory')
        .action(async (options: CacheOptions) => {
          io.stdout.write(`${await cacheDir(options)}\n`);
          done(ExitCode.ok);
        }),
    );
}
