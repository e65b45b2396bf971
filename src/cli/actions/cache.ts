import { cacheDirOf } from '../../cache/cache-dir.js';
import { ResultCache } from '../../cache/result-cache.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import type { CliIO } from '../cli-io.js';
import type { CacheOptions } from '../commands/cache.js';
import { loadConfig } from '../load-inputs.js';

const MiB = 2 ** 20;

/** `pmt cache clear`: loaded when it runs (see commands/cache.ts). */
export async function clearCacheAction(options: CacheOptions, io: CliIO, done: (code: ExitCodeValue) => void): Promise<void> {
  const dir = await cacheDir(options, io);
  const { entries, bytes } = await new ResultCache(dir).clear();
  io.stdout.write(`Removed ${entries} cached result set(s) (${(bytes / MiB).toFixed(1)} MiB) from ${dir}\n`);
  done(ExitCode.ok);
}

/** `pmt cache path`: loaded when it runs (see commands/cache.ts). */
export async function cachePathAction(options: CacheOptions, io: CliIO, done: (code: ExitCodeValue) => void): Promise<void> {
  io.stdout.write(`${await cacheDir(options, io)}\n`);
  done(ExitCode.ok);
}

async function cacheDir(options: CacheOptions, io: CliIO): Promise<string> {
  return cacheDirOf(await loadConfig(options, io), io.env);
}
