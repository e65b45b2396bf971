import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Environment } from '../config/config-overrides.js';
import { xdgPmtDir } from '../fs/xdg-dir.js';

/** `$XDG_CACHE_HOME/pmt`, else `~/.cache/pmt`. */
export function defaultCacheDir(env: Environment, home?: string): string {
  return xdgPmtDir('XDG_CACHE_HOME', env, home);
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
