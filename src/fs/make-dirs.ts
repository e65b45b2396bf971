import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time: from the deepest ancestor that exists, each missing directory is
 * made with a plain mkdir. Node's recursive mkdir loops forever on some file systems (below
 * /proc/<pid>, where mkdir answers ENOENT for a parent that stat finds); here every step either
 * makes progress or fails with the file system's own error code.
 */
export async function makeDirs(path: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    await mkdir(dir, mode === undefined ? undefined : { mode }).catch((error: NodeJS.ErrnoException) => {
      // Made meanwhile by someone else is as good.
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
