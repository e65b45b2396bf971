import type { Logger } from 'pino';
import type { PluginOutcome } from '../agent/plugin-outcome.js';
import { removeEarlierResults, saveResultsLocally } from '../sinks/local-results.js';
import type { Filestore } from '../store/filestore.js';
import type { ProgressListener } from './progress-event.js';
import type { PluginReport } from './scan-report.js';

/**
 * Saves a plugin run's results into the results directory (when there is one). A result that cannot
 * be saved fails that plugin run alone: it is reported (and not uploaded) as failed, with why.
 */
export async function savePluginResults(
  filestore: Filestore,
  outcome: PluginOutcome,
  dir: string | undefined,
  { progress, now, logger, started }: { progress: ProgressListener; now: () => Date; logger: Logger; started: Date },
): Promise<PluginReport> {
  if (!dir) return { outcome, results: outcome.results.map((r) => ({ name: r.name, size: r.size, sha256: r.sha256, localPath: undefined })) };
  const failed = outcome.status !== 'succeeded' && outcome.status !== 'cached';
  const save = failed ? undefined : await saveResultsLocally(filestore, outcome, dir);
  if (save && !save.failure) {
    logger.debug({ plugin: outcome.plugin.name }, `Saved ${save.results.length} result file(s) in ${dir}`);
    return { outcome, results: save.results };
  }
  // What an earlier run saved for this plugin is not this run's result: it must not look like one.
  const removed = await removeEarlierResults(outcome.plugin, dir);
  if (removed.length > 0) logger.info(`Removed ${removed.join(', ')}: left by an earlier run, and plugin ${outcome.plugin.name} produced no results in this one`);
  if (!save) return { outcome, results: [] };
  logger.error(`${save.failure.message} (${save.failure.hint})`);
  progress({ plugin: outcome.plugin.name, phase: 'failed', elapsedMs: now().getTime() - started.getTime(), detail: save.failure.message });
  return { outcome: { ...outcome, status: 'failed', results: [], error: save.failure }, results: [] };
}
