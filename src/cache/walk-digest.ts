import { createHash, type Hash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { hashFileSync } from './hash-file.js';

/** Longest stretch of synchronous work before the event loop gets a turn. */
const SLICE_MS = 10;

/**
 * `walk:<sha256>` over every entry under `dir`, `.git` included (plugins see it): in a fixed order
 * (each directory's names sorted by their UTF-8 bytes, depth first), each entry's relative path,
 * type, and for files the executable bit, size and content sha256, for symlinks the target.
 * Unreadable entries add a marker with their size and mtime instead of failing the digest.
 *
 * Synchronous file calls in slices of SLICE_MS: on a warm page cache they hash 5,000 small files
 * 4–6 times faster than the async API at any concurrency, and the event loop still turns.
 */
export async function walkDigest(dir: string): Promise<string> {
  const hash = createHash('sha256').update('pmt-walk-1\0');
  let sliceStart = performance.now();
  const pause = async (): Promise<void> => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
  await walkDir(dir, '', hash, pause);
  return `walk:${hash.digest('hex')}`;
}

/** One NUL-separated record per entry; paths and link targets cannot contain NUL. */
async function walkDir(root: string, rel: string, hash: Hash, pause: () => Promise<void>): Promise<void> {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    hash.update(unreadable(root, rel));
    return;
  }
  hash.update(`d\0${rel}\0`);
  const named = dirents.map((d) => ({ d, key: Buffer.from(d.name) })).sort((a, b) => Buffer.compare(a.key, b.key));
  for (const { d } of named) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    if (d.isDirectory()) await walkDir(root, child, hash, pause);
    else hash.update(await describe(root, child, d, pause));
    await pause();
  }
}

async function describe(root: string, rel: string, dirent: Dirent, pause: () => Promise<void>): Promise<string> {
  const path = join(root, rel);
  try {
    if (dirent.isSymbolicLink()) return `l\0${rel}\0${readlinkSync(path)}\0`;
    if (!dirent.isFile()) return `o\0${rel}\0`;
    const file = await hashFileSync(path, pause);
    // Replaced by something else since it was listed: describe it as that.
    if (file === undefined) return `o\0${rel}\0`;
    return `f\0${rel}\0${file.mode & 0o111 ? 'x' : '-'}\0${file.size}\0${file.sha256}\0`;
  } catch {
    return unreadable(root, rel);
  }
}

/** The content is unknown, so size and mtime at least make a change to it visible. */
function unreadable(root: string, rel: string): string {
  let info;
  try {
    info = lstatSync(join(root, rel), { bigint: true });
  } catch {
    info = undefined;
  }
  return `u\0${rel}\0${info?.size ?? '-'}\0${info?.mtimeNs ?? '-'}\0`;
}
