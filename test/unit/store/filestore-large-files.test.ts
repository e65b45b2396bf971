import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Filestore, type PutLimits } from '../../../src/store/filestore.js';
import { linkOrCopy } from '../../../src/store/link-or-copy.js';
import { SpillFile, WRITE_BATCH_BYTES } from '../../../src/store/spill-file.js';
import { bufferSource, byteSource, patternChunk, sha256 } from './byte-source.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const roomy: PutLimits = { maxFileBytes: 1024 * MiB, maxRunBytes: 1024 * MiB };

let parent: string;
let store: Filestore | undefined;

beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'pmt-filestore-large-'));
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(parent, { recursive: true, force: true });
});

describe('Filestore per-file memory cap', () => {
  it('sends a file larger than the per-file cap to disk although the run budget has room', async () => {
    store = await Filestore.create({ memoryBytes: 64 * MiB, fileMemoryBytes: MiB, tempParent: parent });
    const big = byteSource(3 * MiB, { seed: 4 });
    const stored = await store.put(0, 'big.bin', big.stream, roomy);
    const small = await store.put(0, 'small.json', bufferSource(patternChunk(0, 900 * KiB, 5)), roomy);

    expect(stored.sha256).toBe(big.sha256());
    expect(small.size).toBe(900 * KiB);
    // The large file holds no memory; the small one stays in memory (no temp file of its own).
    expect(store.memoryInUse).toBe(900 * KiB);
    expect(await readdir(store.tempDir)).toHaveLength(1);
  });

  it('keeps a file of exactly the per-file cap in memory', async () => {
    store = await Filestore.create({ memoryBytes: 64 * MiB, fileMemoryBytes: MiB, tempParent: parent });
    await store.put(0, 'edge.bin', byteSource(MiB).stream, roomy);
    expect(store.memoryInUse).toBe(MiB);
    expect(await readdir(store.tempDir)).toEqual([]);
  });

  it('refuses a negative per-file cap', async () => {
    await expect(Filestore.create({ memoryBytes: MiB, fileMemoryBytes: -1, tempParent: parent })).rejects.toThrow(/per-file memory bound/);
  });
});

describe('Filestore.saveTo', () => {
  it('links a spilled file into place: same bytes, and it outlives the store', async () => {
    store = await Filestore.create({ memoryBytes: 0, tempParent: parent });
    const source = byteSource(5 * MiB + 17, { seed: 9, chunkSize: 16 * KiB });
    const stored = await store.put(1, 'out.bin', source.stream, roomy);
    const target = join(parent, 'saved.bin');
    await writeFile(target, 'an older file that gets replaced');

    await store.saveTo(1, 'out.bin', target);
    const [temp] = await readdir(store.tempDir);
    expect((await stat(target)).ino).toBe((await stat(join(store.tempDir, temp!))).ino);
    await store.close();
    store = undefined;

    expect(sha256(await readFile(target))).toBe(stored.sha256);
    expect((await stat(target)).nlink).toBe(1);
  });

  it('writes a file held in memory', async () => {
    store = await Filestore.create({ memoryBytes: MiB, tempParent: parent });
    const stored = await store.put(0, 'r.json', bufferSource('{"a":1}'), roomy);
    const target = join(parent, 'r.json');
    await store.saveTo(0, 'r.json', target);
    expect(sha256(await readFile(target))).toBe(stored.sha256);
  });
});

describe('linkOrCopy', () => {
  it('copies when the target is on another file system (tmpfs /dev/shm)', async () => {
    const from = join(parent, 'from.bin');
    await writeFile(from, patternChunk(1, 100 * KiB, 2));
    const shm = await mkdtemp(join('/dev/shm', 'pmt-link-test-'));
    try {
      const to = join(shm, 'to.bin');
      await linkOrCopy(from, to);
      expect((await stat(to)).ino).not.toBe((await stat(from)).ino);
      expect(sha256(await readFile(to))).toBe(sha256(await readFile(from)));
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it('reports a missing source instead of copying nothing', async () => {
    await expect(linkOrCopy(join(parent, 'nope'), join(parent, 'to'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('SpillFile', () => {
  it('writes chunks of any size in order across several batches', async () => {
    const path = join(parent, 'spill.bin');
    const file = await SpillFile.create(path);
    const chunks = [1, 16, 4088, 65_536, 300_000, 7, WRITE_BATCH_BYTES + 3, 12_345].map((size, i) => patternChunk(i, size, 3));
    for (const chunk of chunks) await file.append(chunk);
    await file.close();
    expect(sha256(await readFile(path))).toBe(sha256(Buffer.concat(chunks)));
  });

  it('refuses to overwrite an existing file', async () => {
    const path = join(parent, 'taken');
    await writeFile(path, 'x');
    await expect(SpillFile.create(path)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('remove() after a failed source leaves no file behind', async () => {
    store = await Filestore.create({ memoryBytes: 0, tempParent: parent });
    const failing = Readable.from(
      (async function* () {
        yield patternChunk(0, 3 * WRITE_BATCH_BYTES, 1);
        throw new Error('source broke');
      })(),
      { objectMode: false },
    );
    await expect(store.put(0, 'x.bin', failing, roomy)).rejects.toThrow('source broke');
    expect(await readdir(store.tempDir)).toEqual([]);
  });
});
