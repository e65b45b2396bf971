import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultCache, type CacheFileSource } from '../../../src/cache/result-cache.js';
import { PmtError } from '../../../src/errors.js';
import { tempDir } from '../../support/fixtures.js';

const KEY = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
const NOW = new Date('2024-05-01T12:00:00.000Z');

function source(name: string, content: string | Buffer): CacheFileSource {
  const bytes = Buffer.from(content);
  return { name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), open: () => Readable.from([bytes]) };
}
const FILES = [source('result.json', '{"licenses":["Apache-2.0"]}'), source('scan.log', 'ok\n')];

let dir: string;
let remove: () => Promise<void>;
let problems: string[];
let cache: ResultCache;
beforeEach(async () => {
  ({ path: dir, remove } = await tempDir('pmt-cache-test-'));
  problems = [];
  cache = new ResultCache(dir, { now: () => NOW, onProblem: (message) => problems.push(message) });
});
afterEach(async () => remove());

const entry = (key = KEY): string => join(dir, 'v1', key.slice(0, 2), key);

describe('ResultCache round trip', () => {
  it('misses an empty cache without complaint, then serves what was stored', async () => {
    expect(await cache.lookup(KEY)).toBeUndefined();
    await cache.store(KEY, FILES);
    const hit = await cache.lookup(KEY);
    expect(hit).toEqual({
      createdAt: NOW.toISOString(),
      files: FILES.map(({ name, size, sha256 }) => ({ name, size, sha256, path: join(entry(), 'files', name) })),
    });
    for (const [i, file] of (hit?.files ?? []).entries()) expect(await readFile(file.path, 'utf8')).toBe(await readAllText(FILES[i]!));
    expect(await cache.lookup(OTHER)).toBeUndefined();
    expect(problems).toEqual([]);
    // Nothing is left in the temp area.
    expect(await readdir(join(dir, 'v1', 'tmp'))).toEqual([]);
  });

  it('stores an empty result set and a file named manifest.json', async () => {
    await cache.store(KEY, []);
    expect(await cache.lookup(KEY)).toEqual({ createdAt: NOW.toISOString(), files: [] });
    await cache.store(OTHER, [source('manifest.json', 'not the manifest')]);
    expect((await cache.lookup(OTHER))?.files.map((f) => f.name)).toEqual(['manifest.json']);
  });

  it('refuses a file whose bytes do not match its size or sha256, and keeps nothing of it', async () => {
    const liar = { ...source('result.json', 'abc'), open: () => Readable.from([Buffer.from('abd')]) };
    await expect(cache.store(KEY, [liar])).rejects.toThrow(PmtError);
    expect(await cache.lookup(KEY)).toBeUndefined();
    expect(await readdir(join(dir, 'v1', 'tmp'))).toEqual([]);
  });

  it('refuses names that are not plain and keys that are not keys', async () => {
    await expect(cache.store(KEY, [source('../escape', 'x')])).rejects.toThrow(/plain/);
    await expect(cache.store(KEY, [source('a', 'x'), source('a', 'y')])).rejects.toThrow(/unique/);
    await expect(cache.lookup('../../etc')).rejects.toThrow(/not a cache key/);
  });

  it('reports a source that fails as a PmtError with a hint', async () => {
    const broken = { ...source('r', 'x'), open: () => Readable.from((async function* () { yield Buffer.from('x'); throw new Error('disk gone'); })()) };
    const error = await cache.store(KEY, [broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PmtError);
    expect((error as PmtError).hint).toMatch(/not affected/);
  });
});

describe('ResultCache never serves a damaged entry', () => {
  beforeEach(async () => cache.store(KEY, FILES));

  it.each<[string, () => Promise<unknown>]>([
    ['a truncated file', () => truncate(join(entry(), 'files', 'result.json'), 5)],
    ['a file changed in place (same size)', () => writeFile(join(entry(), 'files', 'scan.log'), 'ko\n')],
    ['a missing file', () => rm(join(entry(), 'files', 'scan.log'))],
    ['a file replaced by a symlink to an identical file', async () => {
      await writeFile(join(dir, 'outside'), '{"licenses":["Apache-2.0"]}');
      await rm(join(entry(), 'files', 'result.json'));
      await symlink(join(dir, 'outside'), join(entry(), 'files', 'result.json'));
    }],
    ['a manifest that is not JSON', () => writeFile(join(entry(), 'manifest.json'), '{"format":"pmt-cache-1",')],
    ['an empty manifest', () => writeFile(join(entry(), 'manifest.json'), '')],
    ['no manifest (a partial entry)', () => rm(join(entry(), 'manifest.json'))],
    ['a manifest naming ../x', () => tamper((m) => ({ ...m, files: [{ ...m.files[0], name: '../x' }] }))],
    ['a manifest of another key', () => tamper((m) => ({ ...m, key: OTHER }))],
  ])('ignores and removes an entry with %s', async (_what, damage) => {
    await damage();
    expect(await cache.lookup(KEY)).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/damaged cache entry/);
    expect(await stat(entry()).catch(() => undefined)).toBeUndefined();
    // The next store replaces it.
    await cache.store(KEY, FILES);
    expect(await cache.lookup(KEY)).toBeDefined();
  });

  it('does not read a huge manifest into memory: an entry whose manifest is larger than pmt writes is damaged', async () => {
    // Sparse: 300 MB of size on no disk.
    await truncate(join(entry(), 'manifest.json'), 300 * 2 ** 20);
    const before = process.memoryUsage().arrayBuffers;
    expect(await cache.lookup(KEY)).toBeUndefined();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 2 ** 20);
    expect(problems).toEqual([expect.stringMatching(/its manifest\.json is over 67108864 bytes, more than pmt ever writes; it was removed$/)]);
  });

  it('does not read outside the entry for a tampered name, even where such a file exists', async () => {
    await writeFile(join(entry(), 'x'), 'planted');
    await tamper((m) => ({ ...m, files: [{ name: '../x', size: 7, sha256: createHash('sha256').update('planted').digest('hex') }] }));
    expect(await cache.lookup(KEY)).toBeUndefined();
  });
});

describe('ResultCache concurrency and clear', () => {
  it('keeps one valid entry when many stores of one key race', async () => {
    const caches = Array.from({ length: 8 }, () => new ResultCache(dir));
    await Promise.all(caches.map((c) => c.store(KEY, FILES)));
    expect(await readdir(join(dir, 'v1', KEY.slice(0, 2)))).toEqual([KEY]);
    expect((await cache.lookup(KEY))?.files).toHaveLength(2);
    expect(await readdir(join(dir, 'v1', 'tmp'))).toEqual([]);
  });

  it('removes every entry and temp leftover, and says how many bytes were freed', async () => {
    expect(await cache.clear()).toEqual({ entries: 0, bytes: 0 });
    await cache.store(KEY, FILES);
    await cache.store(OTHER, [source('big.bin', Buffer.alloc(100_000, 1))]);
    await writeFile(join(dir, 'v1', 'tmp', 'left-by-a-crash'), 'xx');
    const manifests = (await stat(join(entry(), 'manifest.json'))).size + (await stat(join(entry(OTHER), 'manifest.json'))).size;
    const cleared = await cache.clear();
    expect(cleared).toEqual({ entries: 2, bytes: manifests + FILES[0]!.size + FILES[1]!.size + 100_000 + 2 });
    expect(await cache.lookup(KEY)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
    // Only the cache's own namespace goes: other files in the directory stay.
    await writeFile(join(dir, 'keep.txt'), 'mine');
    await cache.clear();
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });
});

async function tamper(change: (manifest: { key: string; files: Array<Record<string, unknown>> }) => unknown): Promise<void> {
  const path = join(entry(), 'manifest.json');
  await writeFile(path, JSON.stringify(change(JSON.parse(await readFile(path, 'utf8')))));
}

async function readAllText(file: CacheFileSource): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of file.open()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
