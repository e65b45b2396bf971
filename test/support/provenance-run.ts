import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanReport } from '../../src/engine/scan-report.js';
import { PLUGIN_DEFAULTS } from './plugin-defaults.js';

/** A run report of one plugin whose two results were saved in `dir`. */
export async function savedRun(dir: string): Promise<ScanReport> {
  const files = { 'a_out.json': '{"licenses":["MIT"]}\n', 'a_notice.txt': 'NOTICE\n' };
  const results = [];
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    results.push({ name: name.slice(2), size: text.length, sha256: createHash('sha256').update(text).digest('hex'), localPath: join(dir, name) });
  }
  const plugin = { ...PLUGIN_DEFAULTS, name: 'a', version: '1', image: 'pmt/a:1', shell: '/bin/sh', cmd: 'x', results: ['out.json', 'notice.txt'], importer: 'a' };
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    runId: 'r',
    inputDir: dir,
    input: { dir, digest: { digest: 'walk:00', method: 'walk' }, digestError: undefined, git: undefined, excluded: [] },
    engine: { version: '20.10', apiVersion: '1.41', endpoint: 'unix:///var/run/docker.sock', local: true },
    cacheEnabled: false,
    startedAt: at,
    finishedAt: at,
    resultsDir: dir,
    logsDir: dir,
    plugins: [
      {
        outcome: { id: 0, plugin, status: 'succeeded', exitCode: 0, durationMs: 0, startedAt: at, finishedAt: at, imageId: undefined, repoDigests: [], cache: undefined, transport: 'archive', results: [], logPath: undefined, error: undefined },
        results,
      },
    ],
    server: undefined,
    interruptedBy: undefined,
    durationMs: 0,
    provenance: undefined,
  };
}
