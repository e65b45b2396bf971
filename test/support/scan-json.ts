import { expect } from 'vitest';
import { containersWithLabels } from './engine-state.js';
import { runPmt } from './run-pmt.js';

/** What `pmt scan --json` prints (src/cli/render-report.ts), as far as the tests read it. */
export interface ScanReportJson {
  runId: string;
  exitCode: number;
  durationMs: number;
  resultsDir: string;
  logsDir: string;
  server: { url: string; reachable: boolean; reason: string | null } | null;
  provenance: { path: string | null; signed: boolean; keyId: string | null; subjects: number; uploaded: boolean; error: string | null } | null;
  plugins: PluginJson[];
}

export interface PluginJson {
  name: string;
  image: string;
  imageId: string | null;
  status: string;
  exitCode: number | null;
  durationMs: number;
  transport: string | null;
  logPath: string;
  error: { origin: string; message: string; hint: string | null } | null;
  /** What the user should know although the plugin ran (e.g. an out-of-date image). */
  warnings: string[];
  results: { name: string; size: number; sha256: string; localPath: string }[];
  uploads: { fileName: string; importer: string; status: string; httpStatus: number | null; location: string | null; attempts: number; message: string | null }[];
}

/**
 * `pmt scan … --json` in this process. Checks, however the run ended, that none of its containers
 * is left on the engine.
 */
export async function scanJson(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; report: ScanReportJson; stderr: string }> {
  const run = await runPmt(['scan', ...args, '--json'], options);
  let report: ScanReportJson;
  try {
    report = JSON.parse(run.stdout) as ScanReportJson;
  } catch {
    throw new Error(`pmt scan printed no JSON report (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  }
  expect(await containersWithLabels(`pmt.run=${report.runId}`)).toEqual([]);
  return { code: run.code, report, stderr: run.stderr };
}
