import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Environment } from '../config/config-overrides.js';
import { makeDirs } from '../fs/make-dirs.js';
import { timestamp } from './container-log.js';
import { xdgPmtDir } from '../fs/xdg-dir.js';

/** Run log directories kept in the default logs root; older ones go when a new run starts. */
export const KEPT_RUN_LOG_DIRS = 50;

/** A run's directory name: its start time first, so names sort by age. */
const RUN_DIR = /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}-[0-9a-f]{12}$/;

/**
 * Where run logs go when PathDirLogs is empty: `$XDG_STATE_HOME/pmt/logs`, else
 * `~/.local/state/pmt/logs` (logs are state worth keeping a while, not cache, not temp). A relative
 * XDG_STATE_HOME is ignored, as the XDG base directory spec asks.
 */
export function defaultLogsRoot(env: Environment, home?: string): string {
  return join(xdgPmtDir('XDG_STATE_HOME', env, home), 'logs');
}

/**
 * A new directory `<root>/<start time>-<run id>` for one run's logs; the root keeps the newest
 * KEPT_RUN_LOG_DIRS of them (only directories named like this are ever removed, never a link).
 */
export async function openRunLogsDir(root: string, runId: string, started: Date, keep = KEPT_RUN_LOG_DIRS): Promise<string> {
  await makeDirs(root, 0o700);
  const dir = join(root, `${timestamp(started)}-${runId}`);
  await mkdir(dir, { mode: 0o700 });
  const runs = (await readdir(root)).filter((name) => RUN_DIR.test(name)).sort();
  for (const name of runs.slice(0, Math.max(0, runs.length - keep))) {
    const path = join(root, name);
    if (path === dir) continue;
    const info = await lstat(path).catch(() => undefined);
    if (info?.isDirectory()) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
  return dir;
}
