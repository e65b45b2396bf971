import { createHash } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultCache } from '../../../src/cache/result-cache.js';
import { runPmt } from '../../support/run-pmt.js';
import { tempDir } from '../../support/fixtures.js';

let root: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ path: root, remove } = await tempDir('pmt-cache-cli-'));
});
afterEach(async () => remove());

const bytes = Buffer.alloc(3 * 2 ** 20, 7);
const file = { name: 'result.bin', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), open: () => Readable.from([bytes]) };

describe('pmt cache', () => {
  it('path prints $XDG_CACHE_HOME/pmt, or CacheDir of the config resolved against the config file', async () => {
    const env = { XDG_CACHE_HOME: join(root, 'xdg') };
    expect(await runPmt(['cache', 'path'], { cwd: root, env })).toEqual({ code: 0, stdout: `${join(root, 'xdg', 'pmt')}\n`, stderr: '' });
    await writeFile(join(root, 'pmt.json'), JSON.stringify({ CacheDir: 'my-cache' }));
    const configured = await runPmt(['cache', 'path', '-c', 'pmt.json'], { cwd: root, env });
    expect(configured.stdout).toBe(`${join(root, 'my-cache')}\n`);
  });

  it('clear removes every cached result set and says how much it freed', async () => {
    const dir = join(root, 'xdg', 'pmt');
    const cache = new ResultCache(dir);
    await cache.store('11'.repeat(32), [file]);
    await cache.store('22'.repeat(32), [file]);

    const run = await runPmt(['cache', 'clear'], { cwd: root, env: { XDG_CACHE_HOME: join(root, 'xdg') } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`Removed 2 cached result set(s) (6.0 MiB) from ${dir}\n`);
    expect(await readdir(dir)).toEqual([]);
    expect(await cache.lookup('11'.repeat(32))).toBeUndefined();

    const again = await runPmt(['cache', 'clear'], { cwd: root, env: { XDG_CACHE_HOME: join(root, 'xdg') } });
    expect(again.stdout).toBe(`Removed 0 cached result set(s) (0.0 MiB) from ${dir}\n`);
  });

  it('reports a broken config file like every other command (exit 2)', async () => {
    await writeFile(join(root, 'bad.json'), '{"CacheDir": 5}');
    const run = await runPmt(['cache', 'clear', '-c', 'bad.json'], { cwd: root, env: { XDG_CACHE_HOME: join(root, 'xdg') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.json:1:\d+: .*CacheDir/);
  });

  it('needs a subcommand', async () => {
    const run = await runPmt(['cache', 'flush'], { cwd: root, env: { XDG_CACHE_HOME: join(root, 'xdg') } });
    expect(run.code).toBe(2);
  });
});
