import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../src/doctor/finding.js';
import { renderFindings } from '../../../src/doctor/render-findings.js';

const report: DoctorReport = {
  findings: [
    { check: 'engine', status: 'ok', message: 'Docker 20.10 (API 1.41)' },
    { check: 'image', status: 'warn', plugin: 'scancode', message: 'not built', hint: 'build it' },
    { check: 'curl', status: 'fail', plugin: 'x', message: 'no curl', hint: 'add curl' },
    { check: 'curl', status: 'fail', plugin: 'y', message: 'no curl', hint: 'add curl' },
  ],
  skipped: [{ checks: ['leftovers'], reason: 'because' }],
};

describe('renderFindings', () => {
  it('writes words, no escape codes, in plain style; a shared hint once', () => {
    expect(renderFindings(report, 'plain')).toBe(
      [
        'ok   engine    Docker 20.10 (API 1.41)',
        'warn image     scancode: not built',
        '               hint: build it',
        'FAIL curl      x: no curl',
        '               hint: add curl',
        'FAIL curl      y: no curl',
        '- skipped leftovers: because',
        '',
        '1 ok, 1 warning, 2 failures',
        '',
      ].join('\n'),
    );
  });

  it('writes coloured ✓ ! ✗ in symbol style', () => {
    const text = renderFindings(report, 'symbols');
    expect(text).toContain('\u001b[32m✓\u001b[0m engine');
    expect(text).toContain('\u001b[33m!\u001b[0m image');
    expect(text).toContain('\u001b[31m✗\u001b[0m curl');
    expect(text).toContain('            hint: build it');
  });
});
