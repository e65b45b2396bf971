import { describe, expect, it } from 'vitest';
import type { PluginOutcome } from '../../../src/agent/plugin-outcome.js';
import type { ScanReport } from '../../../src/engine/scan-report.js';
import { reportToText } from '../../../src/cli/render-report.js';

function outcome(name: string, status: PluginOutcome['status'], durationMs: number): PluginOutcome {
  return {
    id: 1,
    plugin: { name, version: '1', image: `pmt/${name}:1` } as PluginOutcome['plugin'],
    status,
    exitCode: status === 'succeeded' ? 0 : 2,
    durationMs,
    startedAt: new Date(0),
    finishedAt: new Date(durationMs),
    imageId: undefined,
    repoDigests: [],
    cache: undefined,
    transport: undefined,
    results: [],
    logPath: `/logs/${name}.log`,
    error: undefined,
  };
}

const report: ScanReport = {
  runId: 'r1',
  inputDir: '/in',
  input: { dir: '/in', digest: undefined, digestError: undefined, git: undefined, excluded: [] },
  engine: { version: '20.10.24', apiVersion: '1.41', endpoint: 'unix:///var/run/docker.sock', local: true },
  cacheEnabled: true,
  startedAt: new Date(0),
  finishedAt: new Date(2000),
  provenance: undefined,
  resultsDir: undefined,
  logsDir: '/logs',
  plugins: [
    { outcome: outcome('licensee', 'succeeded', 1400), results: [{ name: 'out.json', size: 1, sha256: 'x', localPath: '/res/out.json' }] },
    { outcome: outcome('reuse', 'failed', 2000), results: [] },
  ],
  server: undefined,
  interruptedBy: 'SIGINT',
  durationMs: 3000,
};

describe('reportToText', () => {
  it('prints the summary table without colour by default', () => {
    expect(reportToText(report)).toBe(
      [
        'PLUGIN    STATUS     EXIT  TIME  RESULTS        LOG',
        'licensee  succeeded  0     1.4s  /res/out.json  /logs/licensee.log',
        'reuse     failed     2     2.0s  -              /logs/reuse.log',
        'Interrupted by SIGINT; every container of run r1 was removed.',
        '',
      ].join('\n'),
    );
  });

  it('colours statuses on request and keeps the columns aligned', () => {
    const text = reportToText(report, { color: true });
    expect(text).toContain('\x1b[32msucceeded\x1b[39m  0');
    expect(text).toContain('\x1b[31mfailed\x1b[39m     2');
    expect(text.replace(/\x1b\[\d+m/g, '')).toBe(reportToText(report));
  });

  it('adds a NODE column for a swarm run, and says its services were removed', () => {
    const [first, second] = report.plugins;
    const swarm: ScanReport = {
      ...report,
      plugins: [
        { ...first!, outcome: { ...first!.outcome, node: 'pmtlab-n2', service: 'pmt-r1-0' } },
        { ...second!, outcome: { ...second!.outcome, node: undefined, service: 'pmt-r1-1' } },
      ],
    };
    expect(reportToText(swarm)).toBe(
      [
        'PLUGIN    STATUS     NODE       EXIT  TIME  RESULTS        LOG',
        'licensee  succeeded  pmtlab-n2  0     1.4s  /res/out.json  /logs/licensee.log',
        'reuse     failed     -          2     2.0s  -              /logs/reuse.log',
        'Interrupted by SIGINT; every service of run r1 was removed.',
        '',
      ].join('\n'),
    );
  });
});
