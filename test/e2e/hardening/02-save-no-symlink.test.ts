import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { savedResults, tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

const VICTIM = 'ssh-rsa AAAA… the user’s key\n';

describe('issue 10 item 2: saving a result never follows a link or opens what is planted at its name', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let cache: string;
  beforeEach(async () => {
    dir = await tempDir('pmt-hardening-02-');
    cache = await mkdtemp(join(tmpdir(), 'pmt-hardening-02-cache-'));
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT', 'victims/authorized_keys': VICTIM, 'victims/spilled': VICTIM, 'victims/dangling-target-dir/.keep': '' });
  });
  afterEach(async () => {
    await dir.remove();
    await rm(cache, { recursive: true, force: true });
  });

  /** A hostile repository's results directory: each result's saved name is already taken. */
  async function plant(results: string): Promise<void> {
    await rm(results, { recursive: true, force: true });
    await mkdir(results);
    await symlink(join(dir.path, 'victims', 'authorized_keys'), join(results, 'small_result.txt'));
    await symlink(join(dir.path, 'victims', 'spilled'), join(results, 'large_result.bin'));
    await symlink(join(dir.path, 'victims', 'dangling-target-dir', 'created-through-link'), join(results, 'dangling_result.txt'));
    // A FIFO: opening it for writing would block pmt forever.
    execFileSync('mkfifo', [join(results, 'fifo_result.txt')]);
  }

  it('replaces planted links and a FIFO with the results, for results held in memory, spilled ones and cache restores', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'small', image: TestImages.shell, cmd: 'echo small > /result/result.txt' },
      { name: 'large', image: TestImages.shell, cmd: 'head -c 300000 /dev/zero > /result/result.bin', results: ['result.bin'] },
      { name: 'dangling', image: TestImages.shell, cmd: 'echo dangling > /result/result.txt' },
      { name: 'fifo', image: TestImages.shell, cmd: 'echo fifo > /result/result.txt' },
    ]);
    // Results over 64 KiB spill to temp files, so both save paths (memory, spilled) are taken.
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results', FilestoreMemoryBytes: '64KiB' });
    const results = join(dir.path, 'results');
    const env = { XDG_CACHE_HOME: cache };

    for (const expected of ['succeeded', 'cached']) {
      await plant(results);
      const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'all'], { cwd: dir.path, env });
      expect(code).toBe(0);
      expect(report.plugins.map((p) => p.status)).toEqual([expected, expected, expected, expected]);

      expect(await readFile(join(dir.path, 'victims', 'authorized_keys'), 'utf8')).toBe(VICTIM);
      expect(await readFile(join(dir.path, 'victims', 'spilled'), 'utf8')).toBe(VICTIM);
      expect(await readdir(join(dir.path, 'victims', 'dangling-target-dir'))).toEqual(['.keep']);
      for (const name of ['small_result.txt', 'large_result.bin', 'dangling_result.txt', 'fifo_result.txt']) {
        expect((await lstat(join(results, name))).isFile(), name).toBe(true);
      }
      expect(await readFile(join(results, 'small_result.txt'), 'utf8')).toBe('small\n');
      expect((await readFile(join(results, 'large_result.bin'))).equals(Buffer.alloc(300000))).toBe(true);
      expect(await readFile(join(results, 'fifo_result.txt'), 'utf8')).toBe('fifo\n');
      // No temp file is left beside the results.
      expect(await savedResults(results)).toEqual(['dangling_result.txt', 'fifo_result.txt', 'large_result.bin', 'small_result.txt']);
    }
  });

  it('a directory planted at a result\'s name fails that plugin only, with the reason, and leaves the directory alone', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'blocked', image: TestImages.shell, cmd: 'echo a > /result/result.txt' },
      { name: 'fine', image: TestImages.shell, cmd: 'echo b > /result/result.txt' },
    ]);
    const config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    await writeTree(dir.path, { 'results/blocked_result.txt/inside': 'keep me' });
    const { code, report } = await scanJson(['-i', join(dir.path, 'repo'), '-r', registry, '-c', config, '-p', 'all', '--no-cache'], { cwd: dir.path });

    expect(code).toBe(1);
    expect(report.plugins[0]).toMatchObject({ name: 'blocked', status: 'failed', results: [] });
    expect(report.plugins[0]!.error?.message).toContain(`writing ${join(dir.path, 'results', 'blocked_result.txt')} failed: a directory of that name is in the way (EISDIR)`);
    expect(report.plugins[1]).toMatchObject({ name: 'fine', status: 'succeeded' });
    expect(await readFile(join(dir.path, 'results', 'blocked_result.txt', 'inside'), 'utf8')).toBe('keep me');
    expect(await savedResults(join(dir.path, 'results'))).toEqual(['blocked_result.txt', 'fine_result.txt']);
  });
});
