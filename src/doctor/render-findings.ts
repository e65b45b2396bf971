import type { DoctorReport, Finding, FindingStatus } from './finding.js';
import { escapeControls } from '../log/escape-controls.js';

/** `symbols`: ✓ ! ✗ in colour, for a terminal; `plain`: ok / warn / FAIL, for logs, pipes and NO_COLOR. */
export type FindingStyle = 'symbols' | 'plain';

const MARKS: Record<FindingStyle, Record<FindingStatus, string>> = {
  symbols: { ok: '\u001b[32m✓\u001b[0m', warn: '\u001b[33m!\u001b[0m', fail: '\u001b[31m✗\u001b[0m' },
  plain: { ok: 'ok  ', warn: 'warn', fail: 'FAIL' },
};

const CHECK_WIDTH = 'leftovers'.length;

/** The human-readable list: one line per finding, its hint indented below, then skips and a tally. */
export function renderFindings(report: DoctorReport, style: FindingStyle): string {
  const mark = MARKS[style];
  // Hints line up under the message: mark, space, check column, space.
  const indent = ' '.repeat((style === 'symbols' ? 1 : 4) + 1 + CHECK_WIDTH + 1);
  const lines: string[] = [];
  let lastHint: string | undefined;
  for (const finding of report.findings) {
    // Messages quote images' output (curl probes) and the engine: shown escaped, never acted on.
    lines.push(`${mark[finding.status]} ${finding.check.padEnd(CHECK_WIDTH)} ${subject(finding)}${escapeControls(finding.message)}`);
    // Problems of one file share a hint: it is printed once, under the first of them.
    if (finding.hint && finding.hint !== lastHint) lines.push(`${indent}hint: ${escapeControls(finding.hint)}`);
    lastHint = finding.hint;
  }
  for (const skip of report.skipped) lines.push(`- skipped ${skip.checks.join(', ')}: ${skip.reason}`);
  lines.push('', tally(report.findings));
  return `${lines.join('\n')}\n`;
}

function subject(finding: Finding): string {
  return finding.plugin === undefined ? '' : `${finding.plugin}: `;
}

function tally(findings: readonly Finding[]): string {
  const count = (status: FindingStatus): number => findings.filter((f) => f.status === status).length;
  const warnings = count('warn');
  const failures = count('fail');
  return `${count('ok')} ok, ${warnings} warning${warnings === 1 ? '' : 's'}, ${failures} failure${failures === 1 ? '' : 's'}`;
}
