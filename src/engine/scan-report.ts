import type { PluginOutcome } from '../agent/plugin-outcome.js';
import type { EngineInfo } from '../docker/container-runtime.js';
import type { ProvenanceOutcome } from '../sinks/provenance-record.js';
import type { InputFacts } from './input-facts.js';
import { ExitCode, signalExitCode, type ExitCodeValue } from '../errors.js';
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
  /** The input's digest (as the cache computes it) and git revision. */
  readonly input: InputFacts;
  /** The engine the run used, as it answered at the start. */
  readonly engine: EngineInfo;
  /** False with --no-cache. */
  readonly cacheEnabled: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly resultsDir: string | undefined;
  readonly logsDir: string;
  readonly plugins: readonly PluginReport[];
  /** Uploads to the PMT server; undefined when none is configured or with --no-upload. */
  readonly server: DeliveryReport | undefined;
  readonly interruptedBy: NodeJS.Signals | undefined;
  readonly durationMs: number;
  /** The run's provenance record; undefined only in a report not yet handed to that sink. */
  readonly provenance: ProvenanceOutcome | undefined;
}

/** 0 all succeeded; 1 a plugin failed or the provenance record could not be written; 4 an upload failed; 129/130/143 interrupted. */
export function exitCodeOf(report: ScanReport): ExitCodeValue {
  if (report.interruptedBy) return signalExitCode(report.interruptedBy);
  if (report.plugins.some((p) => p.outcome.status !== 'succeeded' && p.outcome.status !== 'cached')) return ExitCode.pluginFailed;
  if (report.provenance?.error !== undefined) return ExitCode.pluginFailed;
  if (report.server?.uploads.some((u) => u.status === 'failed')) return ExitCode.uploadFailed;
  return ExitCode.ok;
}
