import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutcomeError, PluginOutcome } from '../agent/plugin-outcome.js';
import type { Plugin } from '../registry/plugin.js';
import { savedResultName } from '../registry/result-name.js';
import type { Filestore } from '../store/filestore.js';
import { mapBounded } from '../engine/map-bounded.js';
import type { ReportedResult } from '../engine/scan-report.js';
import { makeDirs } from '../fs/make-dirs.js';

/** What saving one plugin run's results came to: every file saved, or why not (then none is kept). */
export type LocalSave = { readonly results: ReportedResult[]; readonly failure?: undefined } | { readonly results: []; readonly failure: OutcomeError };

/**
 * Writes a plugin run's results as `<dir>/<plugin>_<file>`, as the original client did; each file
 * is written to a temp file and renamed into place (Filestore.saveTo), so a link planted at that
 * name is replaced, never followed. A file that cannot be saved (disk full, a name too long for
 * that file system) fails this plugin run only: the files of it already saved are removed, so its
 * results are all there or none is, and the caller goes on with the other plugins.
 */
export async function saveResultsLocally(filestore: Filestore, outcome: PluginOutcome, dir: string): Promise<LocalSave> {
  try {
    await makeDirs(dir);
  } catch (error) {
    return { results: [], failure: saveFailure(error, outcome.plugin.name, undefined, dir) };
  }
  let failed: { error: unknown; name: string } | undefined;
  // A few at a time: a save is a handful of file-system calls, each a thread-pool round trip, so
  // one after the other 3 000 small results took 2.7 s to save, 16 at a time a fraction of that.
  // mapBounded keeps the declared order; a result not saved (after a failure) is undefined.
  const attempts = await mapBounded(outcome.results, SAVES_IN_FLIGHT, async (result): Promise<ReportedResult | undefined> => {
    if (failed) return undefined;
    const localPath = join(dir, savedResultName(outcome.plugin.name, result.name));
    try {
      await filestore.saveTo(outcome.id, result.name, localPath);
      return { name: result.name, size: result.size, sha256: result.sha256, localPath };
    } catch (error) {
      failed ??= { error, name: result.name };
      return undefined;
    }
  });
  const saved = attempts.filter((result): result is ReportedResult => result !== undefined);
  if (!failed) return { results: saved };
  await Promise.all(saved.map((result) => rm(result.localPath!, { force: true }).catch(() => undefined)));
  return { results: [], failure: saveFailure(failed.error, outcome.plugin.name, failed.name, dir) };
}

/**
 * Removes `<dir>/<plugin>_<result>` of every declared result of a plugin that did not succeed in
 * this run: left from an earlier run, they would sit in the results directory looking current.
 * Removing a name never follows a link planted there. Returns the paths removed.
 */
export async function removeEarlierResults(plugin: Plugin, dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const result of plugin.results) {
    const path = join(dir, savedResultName(plugin.name, result));
    const existed = await lstat(path).then((info) => !info.isDirectory(), () => false);
    if (existed && (await rm(path, { force: true }).then(() => true, () => false))) removed.push(path);
  }
  return removed;
}
/** Results of one plugin saved at the same time. */
const SAVES_IN_FLIGHT = 16;

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  ENAMETOOLONG: 'the name is too long for that file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  EISDIR: 'a directory of that name is in the way',
  ENOTDIR: 'a file is in the way of the directory',
  ENOENT: 'the directory disappeared',
  EIO: 'an I/O error',
};

function saveFailure(error: unknown, plugin: string, result: string | undefined, dir: string): OutcomeError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = code && REASONS[code] ? `${REASONS[code]} (${code})` : error instanceof Error ? error.message : String(error);
  const what = result === undefined ? `the results directory ${dir}` : `${join(dir, savedResultName(plugin, result))}`;
  return {
    origin: 'user',
    message: `could not save the results of plugin ${plugin}: writing ${what} failed: ${reason}; none of its results were kept there`,
    hint: 'free space or fix permissions there, or choose another results directory with -o (PathDirResults); the other plugins were saved and uploaded as usual',
  };
}
