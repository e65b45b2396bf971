import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';

/**
 * A plugin's build directory as a tar stream for the engine's build API: every file with its mode
 * (an executable helper script stays executable), directories and symbolic links as they are.
 * Build directories are small (a Dockerfile and a few scripts), so each file is read whole.
 * `.dockerignore` is not applied: the whole directory is the context, as its hash counts it.
 */
export function packBuildContext(dir: string): Readable {
  const pack = tarPack();
  const add = async (relative: string): Promise<void> => {
    for (const entry of (await readdir(join(dir, relative), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      const path = join(dir, name);
      const stats = await lstat(path);
      const header = { name, mode: stats.mode & 0o7777, mtime: stats.mtime };
      if (stats.isDirectory()) {
        pack.entry({ ...header, type: 'directory' });
        await add(name);
      } else if (stats.isSymbolicLink()) {
        pack.entry({ ...header, type: 'symlink', linkname: await readlink(path) });
      } else if (stats.isFile()) {
        pack.entry({ ...header, type: 'file' }, await readFile(path));
      }
    }
  };
  add('').then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}
