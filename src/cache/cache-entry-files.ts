import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashFile } from './hash-file.js';
import type { ManifestFile } from './cache-manifest.js';

/** A result file handed to the cache: what the filestore knows of it, and a way to read it. */
export interface CacheFileSource extends ManifestFile {
  open(): Readable;
}

/** Copies `file` to `path` (which must not exist), checking it has the size and sha256 it claims. */
export async function writeCacheFile(file: CacheFileSource, path: string): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    file.open(),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(path, { flags: 'wx' }),
  );
  const sha256 = hash.digest('hex');
  if (size !== file.size || sha256 !== file.sha256) {
    throw new Error(`${JSON.stringify(file.name)} read back as ${size} bytes, sha256 ${sha256}; expected ${file.size} bytes, sha256 ${file.sha256}`);
  }
}

/**
 * Why the file at `path` is not `expected`, or undefined when it is. It must be a regular file (a
 * symlink planted in an entry is refused) with the recorded size and sha256. Rejects on I/O errors.
 */
export async function cachedFileProblem(path: string, expected: ManifestFile): Promise<string | undefined> {
  const actual = await hashFile(path);
  if (actual === undefined) return `${JSON.stringify(expected.name)} is not a regular file`;
  if (actual.size !== expected.size) return `${JSON.stringify(expected.name)} has ${actual.size} bytes, the manifest says ${expected.size}`;
  if (actual.sha256 !== expected.sha256) return `${JSON.stringify(expected.name)} does not match its sha256`;
  return undefined;
}

/** Bytes of all regular files under `dir` (symlinks are not followed); 0 when it does not exist. */
export async function treeBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const sizes = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return treeBytes(path);
      return entry.isFile() ? (await lstat(path)).size : 0;
    }),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
