import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { savedResults, tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

const COUNT = 1200;
const names = Array.from({ length: COUNT }, (_, i) => `r${i}.txt`);

describe('issue 10 item 18: many declared results are collected in few transfers', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-18-');
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
  });
  afterEach(async () => dir.remove());

  it.each([
    ['REST', true],
    ['archive copy', false],
  ])(`${COUNT} results over %s arrive whole, in declared order, limits still per file`, async (_label, rest) => {
    const registry = await writeRegistry(dir.path, [
      // Undeclared files in /result are read past, never kept.
      { name: 'many', image: TestImages.curl, cmd: `i=0; while [ $i -lt ${COUNT} ]; do echo "result $i" > /result/r$i.txt; i=$((i+1)); done; head -c 300000 /dev/zero > /result/scratch.bin`, results: names },
    ]);
    const config = await writeConfig(dir.path, { RestApi: rest, MaxResultFileBytes: '64KiB', PathDirLogs: 'logs', PathDirResults: 'results' });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'many', '--no-cache'], { cwd: dir.path });

    expect(code).toBe(0);
    expect(report.plugins[0]).toMatchObject({ status: 'succeeded', transport: rest ? 'rest' : 'archive' });
    expect(report.plugins[0]!.results.map((r) => r.name)).toEqual(names);
    const saved = await savedResults(join(dir.path, 'results'));
    expect(saved).toHaveLength(COUNT);
    expect(await readFile(join(dir.path, 'results', 'many_r1199.txt'), 'utf8')).toBe('result 1199\n');
    if (rest) {
      // pmt's upload loop posts 500 files per request: 3 answers in the plugin's log, not 1 200.
      const log = await readFile(report.plugins[0]!.logPath, 'utf8');
      expect(log.match(/^\{"stored":\[/gm)).toHaveLength(3);
    }
  });
});
