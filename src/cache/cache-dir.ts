import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Environment } from '../config/config-overrides.js';

/**
 * `$XDG_CACHE_HOME/pmt`, else `~/.cache/pmt`. A relative XDG_CACHE_HOME is ignored, as the XDG
 * base directory spec asks.
 */
export function defaultCacheDir(env: Environment, home: string = env.HOME || homedir()): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'pmt') : join(home, '.cache', 'pmt');
}

/** The cache directory of a run: CacheDir from the config (already absolute), else the default. */
export function cacheDirOf(config: Pick<Config, 'cacheDir'>, env: Environment): string {
  return config.cacheDir || defaultCacheDir(env);
}

/**
 * Where the input digest keeps what it learnt of earlier walks (see StatCache): part of the cache
 * directory (`pmt cache clear` empties it), but used with --no-cache too — it only makes the digest
 * cheaper (the provenance record needs one on every run) and never decides a result.
 */
export function statCacheDirOf(cacheDir: string): string {
  return join(cacheDir, 'v1', 'stat');
}
