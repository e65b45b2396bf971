import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * How pmt puts a file at `path`, on every save path (results held in memory, spilled ones, results
 * restored from the cache): `write` creates a fresh temp file next to `path` — it must create it
 * exclusively (`wx`, a new hard link, `COPYFILE_EXCL`), which never follows a link — and only a
 * complete file is renamed over `path`. A rename replaces whatever is at `path` (a symlink planted
 * there, a FIFO, an old result) without following or opening it, and readers see the old file or
 * the whole new one, never a partial one. On any failure the temp file is removed and nothing
 * at `path` changed.
 */
export async function replaceFile(path: string, write: (tempPath: string) => Promise<void>): Promise<void> {
  // Short, so that a name already near the file system's limit still has a temp name.
  const temp = join(dirname(path), `.pmt-save-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await write(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
