import type { PluginOutcome } from '../agent/plugin-outcome.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { DeliveryReport } from './server-delivery.js';

/** A result file as reported: stored bytes plus where it was saved, if it was. */
export interface ReportedResult {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly localPath: string | undefined;
}

export interface PluginReport {
  readonly outcome: PluginOutcome;
  readonly results: readonly ReportedResult[];
}

export interface ScanReport {
  readonly runId: string;
  readonly inputDir: string;
  readonly resultsDir: string | undefined;
  readonly logsDir: string;
  readonly plugins: readonly PluginReport[];
  /** Uploads to the PMT server; undefined when none is configured or with --no-upload. */
  readonly server: DeliveryReport | undefined;
  readonly interruptedBy: NodeJS.Signals | undefined;
  readonly durationMs: number;
}

/** 0 all succeeded; 1 a plugin failed; 4 an upload failed; 130/143 interrupted. */
export function exitCodeOf(report: ScanReport): ExitCodeValue {
  if (report.interruptedBy === 'SIGINT') return ExitCode.sigint;
  if (report.interruptedBy === 'SIGTERM') return ExitCode.sigterm;
  if (report.plugins.some((p) => p.outcome.status !== 'succeeded' && p.outcome.status !== 'cached')) return ExitCode.pluginFailed;
  if (report.server?.uploads.some((u) => u.status === 'failed')) return ExitCode.uploadFailed;
  return ExitCode.ok;
}
