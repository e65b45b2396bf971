import { constants } from 'node:fs';
import { access, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { ExitCode, PmtError } from '../errors.js';
import { makeDirs } from '../fs/make-dirs.js';
import { openRunLogsDir } from '../log/run-logs-dir.js';

export interface RunOutputDirs {
  readonly logsDir: string;
  /** Undefined when SaveResultsLocally is false. */
  readonly resultsDir: string | undefined;
}

/**
 * The run's logs and results directories, both made before any container starts: a scan must not
 * run only to lose its results. Logs: PathDirLogs when set; else a new directory per run in the
 * logs root (bounded there), or — when that cannot be made (no writable home) — a temp directory.
 * Results: `-o`, else PathDirResults, else a fresh temp directory.
 */
export async function openRunOutputDirs(
  config: Config,
  requested: { resultsDir: string | undefined },
  { runId, started, tempParent, logsRoot, logger }: { runId: string; started: Date; tempParent: string; logsRoot: string | undefined; logger: Logger },
): Promise<RunOutputDirs> {
  const logs = async (): Promise<string> => {
    if (config.pathDirLogs || !logsRoot) return ensureDir(config.pathDirLogs, tempParent, 'pmt-logs-', 'logs directory (PathDirLogs)');
    try {
      return await openRunLogsDir(logsRoot, runId, started);
    } catch (error) {
      logger.warn(`Cannot keep logs in ${logsRoot} (${(error as NodeJS.ErrnoException).code ?? String(error)}): using a temp directory; set PathDirLogs to choose one`);
      return ensureDir('', tempParent, 'pmt-logs-', 'logs directory (PathDirLogs)');
    }
  };
  const [logsDir, resultsDir] = await Promise.all([
    logs(),
    config.saveResultsLocally
      ? ensureDir(requested.resultsDir ?? config.pathDirResults, tempParent, 'pmt-results-', 'results directory (-o or PathDirResults)')
      : undefined,
  ]);
  return { logsDir, resultsDir };
}

/** `configured` made (one level at a time) and writable, or a new temp directory when it is empty. */
async function ensureDir(configured: string, tempParent: string, prefix: string, what: string): Promise<string> {
  try {
    if (!configured) return await mkdtemp(join(tempParent, prefix));
    await makeDirs(configured);
    await access(configured, constants.W_OK);
    return configured;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new PmtError(`cannot use ${configured || tempParent} as the ${what}: ${reason}`, {
      origin: 'config',
      exitCode: ExitCode.usage,
      hint: 'choose a writable directory',
      cause: error,
    });
  }
}
