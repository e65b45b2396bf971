import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The XDG base directories pmt uses, with the fallback the spec gives for each (below HOME). */
const FALLBACK = { XDG_CACHE_HOME: '.cache', XDG_CONFIG_HOME: '.config', XDG_STATE_HOME: '.local/state' } as const;

/**
 * `$<variable>/pmt`, else `~/<fallback>/pmt`. A relative value is ignored, as the XDG base
 * directory spec asks.
 */
export function xdgPmtDir(variable: keyof typeof FALLBACK, env: Readonly<Record<string, string | undefined>>, home: string = env.HOME || homedir()): string {
  const value = env[variable];
  return value && isAbsolute(value) ? join(value, 'pmt') : join(home, FALLBACK[variable], 'pmt');
}
