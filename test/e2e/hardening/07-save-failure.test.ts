import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePmtServer } from '../../support/fake-pmt-server.js';
import { savedResults, tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

describe('issue 10 item 7: a result that cannot be saved fails its plugin alone', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let results: string;
  let mounted = false;
  let server: FakePmtServer;
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-07-');
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
    results = join(dir.path, 'results');
    await mkdir(results);
    // A full disk: a 32 KiB tmpfs (the tests run as root, as scripts/setup.sh does).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32k,mode=0755', 'pmt-test-full', results]);
    mounted = true;
    server = new FakePmtServer();
    await server.start();
  });
  afterEach(async () => {
    await server.close();
    if (mounted) execFileSync('umount', [results]);
    mounted = false;
    await dir.remove();
  });

  it('disk full: the others are saved, uploaded and reported, one JSON document, no partial file', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'small-a', image: TestImages.shell, cmd: 'echo a > /result/result.txt' },
      // Held in memory (40 KiB < the 100 KiB budget): written in one go.
      { name: 'in-memory', image: TestImages.shell, cmd: 'echo first > /result/a.txt; head -c 40960 /dev/zero > /result/b.bin', results: ['a.txt', 'b.bin'] },
      // Spilled to a temp file (over the budget): copied, as the tmpfs is another file system.
      { name: 'spilled', image: TestImages.shell, cmd: 'head -c 204800 /dev/zero > /result/result.bin', results: ['result.bin'] },
      { name: 'small-b', image: TestImages.shell, cmd: 'echo b > /result/result.txt' },
    ]);
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results', FilestoreMemoryBytes: '100KiB' });
    const { code, report } = await scanJson(
      ['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'all', '--no-cache', '--server', server.url],
      { cwd: dir.path },
    );

    expect(code).toBe(1);
    expect(report.plugins.map((p) => [p.name, p.status])).toEqual([
      ['small-a', 'succeeded'],
      ['in-memory', 'failed'],
      ['spilled', 'failed'],
      ['small-b', 'succeeded'],
    ]);
    const inMemory = report.plugins[1]!;
    expect(inMemory.error).toMatchObject({ origin: 'user' });
    expect(inMemory.error!.message).toBe(
      `could not save the results of plugin in-memory: writing ${join(results, 'in-memory_b.bin')} failed: no space left on the device (ENOSPC); none of its results were kept there`,
    );
    expect(inMemory.error!.hint).toContain('choose another results directory with -o');
    expect(report.plugins[2]!.error!.message).toContain(`writing ${join(results, 'spilled_result.bin')} failed: no space left on the device (ENOSPC)`);
    expect(report.plugins[1]!.results).toEqual([]);
    // No partial file, no temp file, and nothing of a plugin whose save failed (a.txt was saved, then removed).
    expect(await savedResults(results)).toEqual(['small-a_result.txt', 'small-b_result.txt']);
    expect(await readFile(join(results, 'small-b_result.txt'), 'utf8')).toBe('b\n');
    // Uploaded: the saved plugins' results; a plugin that failed is never uploaded.
    expect(server.uploads.map((u) => u.importer).sort()).toEqual(['small-a', 'small-b']);
    expect(report.plugins.find((p) => p.name === 'small-b')!.uploads).toMatchObject([{ status: 'uploaded' }]);
  });

  it('pmt validate rejects a <plugin>_<result> save name over 255 bytes', async () => {
    const long = `${'x'.repeat(240)}.json`;
    const registry = await writeRegistry(dir.path, [{ name: 'long-name-plugin', image: TestImages.shell, cmd: 'true', results: [long] }]);
    const run = await runPmt(['validate', '-r', registry], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`plugins[0].results[0]: "${long}" is saved as "long-name-plugin_…" (262 bytes), longer than the 255 bytes a file name may have`);
  });
});
