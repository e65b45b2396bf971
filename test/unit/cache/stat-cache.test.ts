import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as hashFile from '../../../src/cache/hash-file.js';
import { digestInput } from '../../../src/cache/input-digest.js';
import { walkDigest } from '../../../src/cache/walk-digest.js';
import { tempDir, writeTree } from '../../support/fixtures.js';

let root: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ path: root, remove } = await tempDir('pmt-stat-cache-test-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await remove();
});

/** Files old enough that their stat data is trusted (changed in the last 2 s: racy, read again). */
async function oldTree(dir: string, files: Record<string, string>): Promise<void> {
  await writeTree(dir, files);
  await new Promise((resolve) => setTimeout(resolve, 2100));
}

describe('the stat cache of the walk digest', () => {
  it('reads only files whose stat data changed, and gives the same digest as a full walk', async () => {
    const dir = join(root, 'in');
    const statDir = join(root, 'stat');
    await oldTree(dir, { a: '1', b: '2', 'sub/c': '3' });
    const first = await digestInput(dir, { statDir });
    expect(first).toEqual({ digest: await walkDigest(dir), method: 'walk' });
    expect(await readdir(statDir)).toHaveLength(1);

    const reads = vi.spyOn(hashFile, 'hashFileSync');
    expect(await digestInput(dir, { statDir })).toEqual(first);
    expect(reads).not.toHaveBeenCalled();

    // Same size, same mtime (set back), new content: the ctime still tells.
    await writeFile(join(dir, 'b'), '9');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, 'b'), past, past);
    const changed = await digestInput(dir, { statDir });
    expect(reads.mock.calls.map(([path]) => path)).toEqual([join(dir, 'b')]);
    expect(changed.digest).not.toBe(first.digest);
    expect(changed.digest).toBe(await walkDigest(dir));
  });

  it('does not trust files changed just now, and survives a damaged cache file', async () => {
    const dir = join(root, 'in');
    const statDir = join(root, 'stat');
    await writeTree(dir, { fresh: 'x' });
    await digestInput(dir, { statDir });
    const reads = vi.spyOn(hashFile, 'hashFileSync');
    await digestInput(dir, { statDir });
    expect(reads).toHaveBeenCalledTimes(1);

    const [file] = await readdir(statDir);
    await writeFile(join(statDir, file!), 'garbage\0');
    expect(await digestInput(dir, { statDir })).toEqual({ digest: await walkDigest(dir), method: 'walk' });
  });
});
