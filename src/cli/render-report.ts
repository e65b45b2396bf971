import type { ScanReport } from '../engine/scan-report.js';
import { exitCodeOf } from '../engine/scan-report.js';
import { originLabel } from './describe-error.js';
import { formatTable } from './format-table.js';
import { paint } from './progress/ansi.js';
import { phaseStyle } from './progress/phase-style.js';
import { escapeControls } from '../log/escape-controls.js';

/** The run as one JSON document: what `--json` prints, and nothing else goes to stdout. */
export function reportToJson(report: ScanReport): unknown {
  return {
    runId: report.runId,
    exitCode: exitCodeOf(report),
    inputDir: report.inputDir,
    resultsDir: report.resultsDir ?? null,
    logsDir: report.logsDir,
    durationMs: report.durationMs,
    interruptedBy: report.interruptedBy ?? null,
    server: report.server
      ? { url: report.server.serverUrl, reachable: report.server.reachable, reason: report.server.reason ?? null }
      : null,
    provenance: report.provenance
      ? {
          path: report.provenance.path ?? null,
          signed: report.provenance.signed,
          keyId: report.provenance.keyId ?? null,
          subjects: report.provenance.subjects,
          // The PMT server has no endpoint for attestations: the record is never uploaded.
          uploaded: false,
          error: report.provenance.error ?? null,
        }
      : null,
    plugins: report.plugins.map(({ outcome, results }) => ({
      name: outcome.plugin.name,
      version: outcome.plugin.version,
      image: outcome.plugin.image,
      imageId: outcome.imageId ?? null,
      status: outcome.status,
      exitCode: outcome.exitCode ?? null,
      durationMs: outcome.durationMs,
      transport: outcome.transport ?? null,
      ...(outcome.service === undefined ? {} : { node: outcome.node ?? null, service: outcome.service }),
      logPath: outcome.logPath ?? null,
      error: outcome.error ?? null,
      warnings: outcome.warnings ?? [],
      results: results.map((r) => ({ name: r.name, size: r.size, sha256: r.sha256, localPath: r.localPath ?? null })),
      uploads: (report.server?.uploads ?? [])
        .filter((u) => u.plugin === outcome.plugin.name)
        .map((u) => ({
          fileName: u.fileName,
          importer: u.importer,
          status: u.status,
          httpStatus: u.httpStatus ?? null,
          location: u.location ?? null,
          attempts: u.attempts,
          message: u.message ?? null,
        })),
    })),
  };
}

export interface TextReportOptions {
  /** Colour each status (see colorEnabled for stdout). */
  readonly color?: boolean;
}

/** The summary table printed after a run, then one line per failure saying where it came from. */
export function reportToText(report: ScanReport, options: TextReportOptions = {}): string {
  // A swarm run says where each plugin ran.
  const swarm = report.plugins.some(({ outcome }) => outcome.service !== undefined);
  const rows = report.plugins.map(({ outcome, results }) => [
    outcome.plugin.name,
    paint(outcome.status, phaseStyle(outcome.status).color, options.color ?? false),
    ...(swarm ? [escapeControls(outcome.node || '-')] : []),
    outcome.exitCode === undefined ? '-' : String(outcome.exitCode),
    `${(outcome.durationMs / 1000).toFixed(1)}s`,
    results.map((r) => r.localPath ?? r.name).join(', ') || '-',
    outcome.logPath ?? '-',
  ]);
  const lines = [formatTable([['PLUGIN', 'STATUS', ...(swarm ? ['NODE'] : []), 'EXIT', 'TIME', 'RESULTS', 'LOG'], ...rows])];
  for (const { outcome } of report.plugins) {
    for (const warning of outcome.warnings ?? []) lines.push(`${outcome.plugin.name}: warning: ${escapeControls(warning)}`);
    if (!outcome.error || outcome.status === 'interrupted') continue;
    const hint = outcome.error.hint ? ` — ${outcome.error.hint}` : '';
    lines.push(`${outcome.plugin.name}: ${originLabel(outcome.error.origin)} error: ${escapeControls(`${outcome.error.message}${hint}`)}`);
  }
  for (const upload of report.server?.uploads ?? []) {
    const where = upload.location ? ` → ${upload.location}` : upload.message ? `: ${upload.message}` : '';
    // The server's words are quoted: shown escaped, never acted on.
    lines.push(`upload ${upload.plugin}/${upload.fileName} to ${upload.importer}: ${upload.status}${escapeControls(where)}`);
  }
  const record = report.provenance;
  if (record?.path) {
    const kept = report.server ? ' (kept locally: the PMT server has no place for it)' : '';
    lines.push(`provenance: ${record.path}, ${record.signed ? `signed with key ${record.keyId?.slice(0, 16)}…` : 'unsigned'}${kept}`);
  } else if (record?.error) lines.push(`provenance: pmt error: ${record.error}`);
  if (report.interruptedBy) lines.push(`Interrupted by ${report.interruptedBy}; every ${swarm ? 'service' : 'container'} of run ${report.runId} was removed.`);
  return `${lines.join('\n')}\n`;
}
