import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Filestore, ResultTooLargeError, type PutLimits } from '../../../src/store/filestore.js';
import { bufferSource, byteSource, patternChunk, readAll, sha256 } from './byte-source.js';
import { until } from '../../support/until.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const roomy: PutLimits = { maxFileBytes: 1024 * MiB, maxRunBytes: 1024 * MiB };

let parent: string;
let store: Filestore;

beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'pmt-filestore-test-'));
});

afterEach(async () => {
  await store?.close();
  await rm(parent, { recursive: true, force: true });
});

async function open(memoryBytes: number): Promise<Filestore> {
  store = await Filestore.create({ memoryBytes, tempParent: parent });
  return store;
}

describe('Filestore round trips', () => {
  it('keeps a small file in memory and reads it back', async () => {
    const fs = await open(MiB);
    const stored = await fs.put(0, 'result.json', bufferSource('{"ok":true}'), roomy);

    expect(stored).toEqual({ pluginId: 0, name: 'result.json', size: 11, sha256: sha256(Buffer.from('{"ok":true}')) });
    expect(fs.get(0, 'result.json')).toEqual(stored);
    expect(fs.list(0)).toEqual([stored]);
    expect(fs.list(1)).toEqual([]);
    expect((await readAll(fs.open(0, 'result.json'))).toString()).toBe('{"ok":true}');
    expect(fs.memoryInUse).toBe(11);
    expect(await readdir(fs.tempDir)).toEqual([]);
  });

  it('creates its temp dir private (0700) under tempParent', async () => {
    const fs = await open(MiB);
    expect(fs.tempDir.startsWith(parent)).toBe(true);
    expect((await stat(fs.tempDir)).mode & 0o777).toBe(0o700);
  });

  it('spills a 20 MiB file to disk with a 1 MiB bound, bytes and sha256 identical', async () => {
    const fs = await open(MiB);
    const source = byteSource(20 * MiB, { seed: 7 });
    const stored = await fs.put(3, 'big.bin', source.stream, roomy);
    const expected = source.sha256();

    expect(stored.size).toBe(20 * MiB);
    expect(stored.sha256).toBe(expected);
    expect(fs.memoryInUse).toBe(0);
    expect(await readdir(fs.tempDir)).toHaveLength(1);
    expect(sha256(await readAll(fs.open(3, 'big.bin')))).toBe(expected);

    const target = join(parent, 'copy.bin');
    await fs.saveTo(3, 'big.bin', target);
    expect(sha256(await readFile(target))).toBe(expected);
  });

  it('saves a file held in memory', async () => {
    const fs = await open(MiB);
    await fs.put(1, 'a.txt', bufferSource('hello'), roomy);
    const target = join(parent, 'a.txt');
    await fs.saveTo(1, 'a.txt', target);
    expect(await readFile(target, 'utf8')).toBe('hello');
  });

  it('accepts an empty file and async-iterable sources', async () => {
    const fs = await open(MiB);
    expect((await fs.put(1, 'empty', bufferSource(''), roomy)).size).toBe(0);
    expect(await readAll(fs.open(1, 'empty'))).toEqual(Buffer.alloc(0));

    async function* pieces(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('ab');
      yield new TextEncoder().encode('cd');
    }
    const stored = await fs.put(1, 'iter', pieces(), roomy);
    expect(stored.size).toBe(4);
    expect((await readAll(fs.open(1, 'iter'))).toString()).toBe('abcd');
  });

  it('keeps small files in memory until the run-wide bound, then spills the rest', async () => {
    const fs = await open(MiB);
    for (let i = 0; i < 8; i += 1) {
      await fs.put(i % 2, `f${i}`, bufferSource(patternChunk(i, 300 * KiB, 1)), roomy);
      expect(fs.memoryInUse).toBeLessThanOrEqual(MiB);
    }
    expect(fs.memoryInUse).toBe(900 * KiB);
    expect(await readdir(fs.tempDir)).toHaveLength(5);
    for (let i = 0; i < 8; i += 1) {
      expect(sha256(await readAll(fs.open(i % 2, `f${i}`)))).toBe(sha256(patternChunk(i, 300 * KiB, 1)));
    }
  });

  it('receives concurrent puts of different plugin runs correctly within the bound', async () => {
    const fs = await open(3 * MiB);
    const sources = [0, 1, 2, 3].map((id) => byteSource((id + 1) * 2 * MiB, { seed: id + 10, chunkSize: 32 * KiB }));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, fs.memoryInUse)), 1);
    const stored = await Promise.all(sources.map((source, id) => fs.put(id, 'out.bin', source.stream, roomy)));
    clearInterval(timer);

    stored.forEach((result, id) => {
      expect(result.size).toBe((id + 1) * 2 * MiB);
      expect(result.sha256).toBe(sources[id]!.sha256());
    });
    expect(peak).toBeLessThanOrEqual(3 * MiB);
    expect(fs.memoryInUse).toBeLessThanOrEqual(3 * MiB);
    for (const result of stored) {
      expect(sha256(await readAll(fs.open(result.pluginId, 'out.bin')))).toBe(result.sha256);
    }
  });
});

describe('Filestore limits and failures', () => {
  it('rejects a file over the per-file limit and keeps nothing of it', async () => {
    const fs = await open(256 * KiB);
    const source = byteSource(2 * MiB);
    const put = fs.put(2, 'huge.json', source.stream, { maxFileBytes: MiB, maxRunBytes: 10 * MiB });

    await expect(put).rejects.toBeInstanceOf(ResultTooLargeError);
    const error = (await put.catch((e: unknown) => e)) as ResultTooLargeError;
    expect(error.scope).toBe('file');
    expect(error.origin).toBe('plugin');
    expect(error.message).toBe('result file "huge.json" is larger than the limit of 1 MiB per file');
    expect(error.hint).toContain('MaxResultFileBytes');
    expect(fs.get(2, 'huge.json')).toBeUndefined();
    expect(fs.list(2)).toEqual([]);
    expect(fs.memoryInUse).toBe(0);
    expect(await readdir(fs.tempDir)).toEqual([]);
    expect(source.stream.destroyed).toBe(true);
  });

  it('accepts a file of exactly the per-file limit', async () => {
    const fs = await open(MiB);
    const stored = await fs.put(0, 'edge', byteSource(MiB).stream, { maxFileBytes: MiB, maxRunBytes: MiB });
    expect(stored.size).toBe(MiB);
  });

  it('rejects a file that takes the plugin run over its total, keeping the earlier files', async () => {
    const fs = await open(4 * MiB);
    const limits = { maxFileBytes: MiB, maxRunBytes: MiB };
    const first = await fs.put(5, 'a.json', bufferSource(patternChunk(0, 600 * KiB, 2)), limits);
    const second = fs.put(5, 'b.json', bufferSource(patternChunk(1, 600 * KiB, 2)), limits);

    const error = (await second.catch((e: unknown) => e)) as ResultTooLargeError;
    expect(error).toBeInstanceOf(ResultTooLargeError);
    expect(error.scope).toBe('run');
    expect(error.message).toContain('over the limit of 1 MiB per plugin run');
    expect(fs.list(5)).toEqual([first]);
    expect(fs.memoryInUse).toBe(600 * KiB);
    // Other plugin runs have their own total.
    await expect(fs.put(6, 'b.json', bufferSource(patternChunk(1, 600 * KiB, 2)), limits)).resolves.toMatchObject({ size: 600 * KiB });
  });

  it('counts a replaced file once against the run total', async () => {
    const fs = await open(4 * MiB);
    const limits = { maxFileBytes: MiB, maxRunBytes: MiB };
    await fs.put(0, 'a.json', bufferSource(patternChunk(0, 600 * KiB, 3)), limits);
    const replaced = await fs.put(0, 'a.json', bufferSource(patternChunk(1, 700 * KiB, 3)), limits);
    expect(fs.list(0)).toEqual([replaced]);
    expect(fs.memoryInUse).toBe(700 * KiB);
  });

  it('counts concurrent receptions of one plugin run against its total', async () => {
    const fs = await open(0);
    const limits = { maxFileBytes: 2 * MiB, maxRunBytes: 3 * MiB };
    const results = await Promise.allSettled([
      fs.put(0, 'a', byteSource(2 * MiB, { chunkSize: 16 * KiB }).stream, limits),
      fs.put(0, 'b', byteSource(2 * MiB, { chunkSize: 16 * KiB }).stream, limits),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(fs.list(0)).toHaveLength(1);
    expect(await readdir(fs.tempDir)).toHaveLength(1);
  });

  it('keeps nothing when the source fails mid-stream after spilling', async () => {
    const fs = await open(64 * KiB);
    const source = new PassThrough();
    const put = fs.put(1, 'x.bin', source, roomy);
    source.write(patternChunk(0, 256 * KiB, 4));
    await until(async () => (await readdir(fs.tempDir)).length === 1);
    source.destroy(new Error('container went away'));

    await expect(put).rejects.toThrow('container went away');
    expect(fs.list(1)).toEqual([]);
    expect(fs.memoryInUse).toBe(0);
    expect(await readdir(fs.tempDir)).toEqual([]);
  });

  it('keeps nothing when the source fails while still in memory', async () => {
    const fs = await open(MiB);
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('partial');
      throw new Error('read error');
    }
    await expect(fs.put(1, 'x', Readable.from(failing()), roomy)).rejects.toThrow('read error');
    expect(fs.list(1)).toEqual([]);
    expect(fs.memoryInUse).toBe(0);
  });

  it('rejects non-byte chunks', async () => {
    const fs = await open(MiB);
    await expect(fs.put(1, 'x', Readable.from([{ not: 'bytes' }]), roomy)).rejects.toThrow(TypeError);
    expect(fs.memoryInUse).toBe(0);
  });
});

describe('Filestore replace, stage, discard, close', () => {
  it('replaces a file of the same name and removes the replaced temp file', async () => {
    const fs = await open(0);
    await fs.put(0, 'r.txt', bufferSource('first version'), roomy);
    const second = await fs.put(0, 'r.txt', bufferSource('second'), roomy);
    expect(fs.list(0)).toEqual([second]);
    expect((await readAll(fs.open(0, 'r.txt'))).toString()).toBe('second');
    await until(async () => (await readdir(fs.tempDir)).length === 1);
  });

  it('stages a received file until commit, and frees it on abort', async () => {
    const fs = await open(MiB);
    const staged = await fs.receive(0, 's.txt', bufferSource('staged'), roomy);
    expect(staged.result).toMatchObject({ name: 's.txt', size: 6 });
    expect(fs.list(0)).toEqual([]);
    expect(staged.commit()).toEqual(staged.result);
    expect(fs.get(0, 's.txt')).toEqual(staged.result);

    const dropped = await fs.receive(0, 'd.txt', bufferSource('dropped'), roomy);
    await dropped.abort();
    await dropped.abort();
    expect(() => dropped.commit()).toThrow(/dropped/);
    expect(fs.get(0, 'd.txt')).toBeUndefined();
    expect(fs.memoryInUse).toBe(6);
  });

  it('discards one plugin run, including a reception in flight', async () => {
    const fs = await open(0);
    await fs.put(1, 'a', bufferSource('one'), roomy);
    const kept = await fs.put(2, 'a', bufferSource('two'), roomy);
    const slow = new PassThrough();
    const inFlight = fs.put(1, 'b', slow, roomy).catch((error: unknown) => error);
    slow.write('partial');
    await until(async () => (await readdir(fs.tempDir)).length === 3);

    await fs.discard(1);
    expect(await inFlight).toBeInstanceOf(Error);
    expect(slow.destroyed).toBe(true);
    expect(fs.list(1)).toEqual([]);
    expect(fs.list(2)).toEqual([kept]);
    expect(await readdir(fs.tempDir)).toHaveLength(1);
  });

  it('lets an opened spilled file be read to the end after it is discarded', async () => {
    const fs = await open(0);
    await fs.put(1, 'a', bufferSource('still here'), roomy);
    const reader = fs.open(1, 'a');
    await fs.discard(1);
    expect((await readAll(reader)).toString()).toBe('still here');
  });

  it('close removes the temp dir, is idempotent, aborts receptions and refuses further use', async () => {
    const fs = await open(0);
    await fs.put(1, 'a', bufferSource('x'.repeat(1000)), roomy);
    const slow = new PassThrough();
    const inFlight = fs.put(1, 'b', slow, roomy).catch((error: unknown) => error);
    slow.write('partial');

    await Promise.all([fs.close(), fs.close()]);
    await fs.close();
    expect(await inFlight).toBeInstanceOf(Error);
    await expect(stat(fs.tempDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(fs.list(1)).toEqual([]);
    await expect(fs.put(1, 'c', bufferSource('late'), roomy)).rejects.toThrow('the filestore is closed');
    expect(() => fs.open(1, 'a')).toThrow('the filestore is closed');
  });

  it('refuses a negative or fractional memory bound', async () => {
    await expect(Filestore.create({ memoryBytes: -1, tempParent: parent })).rejects.toThrow(/memory bound/);
    await expect(Filestore.create({ memoryBytes: 1.5, tempParent: parent })).rejects.toThrow(/memory bound/);
  });

  it('names the missing file when opening an unknown result', async () => {
    const fs = await open(0);
    expect(() => fs.open(4, 'nope.json')).toThrow('no result "nope.json" stored for plugin run 4');
  });
});

