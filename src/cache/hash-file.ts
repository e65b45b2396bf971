import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

const CHUNK = 2 ** 20;
/** A symlink is refused (ELOOP) rather than followed; a FIFO is opened without blocking, then refused. */
const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface FileHash {
  /** Bytes read (the file's size unless it changed while being read). */
  readonly size: number;
  readonly sha256: string;
  readonly mode: number;
}

/**
 * Streams a regular file through sha256 a chunk at a time (a 200 MiB file never sits in memory).
 * Returns undefined when `path` is not a regular file; never follows a symlink or hangs on a FIFO.
 */
export async function hashFile(path: string): Promise<FileHash | undefined> {
  const handle = await open(path, FLAGS);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const hash = createHash('sha256');
    // One read past the expected end sees EOF; small files need just that buffer.
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, info.size + 1));
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { size, sha256: hash.digest('hex'), mode: info.mode };
  } finally {
    await handle.close();
  }
}

/**
 * hashFile with synchronous calls, for walks over thousands of small files, where the thread pool
 * round trips of the async API cost 4–6 times the work itself (see the cache report). `pause` is
 * awaited between chunks so that a large file does not block the event loop for long.
 */
export async function hashFileSync(path: string, pause: () => Promise<void>): Promise<FileHash | undefined> {
  const fd = openSync(path, FLAGS);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return undefined;
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, info.size + 1));
    let size = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      await pause();
    }
    return { size, sha256: hash.digest('hex'), mode: info.mode };
  } finally {
    closeSync(fd);
  }
}
