import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import dockerignoreModule from '@balena/dockerignore';
import { pack as tarPack } from 'tar-stream';

/**
 * A plugin's build directory as a tar stream for the engine's build API: every file with its mode
 * (an executable helper script stays executable), directories and symbolic links as they are.
 * `.dockerignore` is applied as `docker build` applies it (@balena/dockerignore is a port of
 * Docker's own matcher): the Dockerfile and `.dockerignore` always go, and an ignored directory is
 * still walked when a `!` pattern may bring something in it back. Build directories are small (a
 * Dockerfile, a few scripts, pinned npm packages), so each file is read whole.
 */
export function packBuildContext(dir: string): Readable {
  const pack = tarPack();
  const sent = (async () => {
    const ignore = await dockerIgnoreOf(dir);
    const add = async (relative: string): Promise<void> => {
      for (const entry of (await readdir(join(dir, relative), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const name = relative ? `${relative}/${entry.name}` : entry.name;
        const ignored = ignore.ignores(name);
        const path = join(dir, name);
        const stats = await lstat(path);
        const header = { name, mode: stats.mode & 0o7777, mtime: stats.mtime };
        if (stats.isDirectory()) {
          if (!ignored) pack.entry({ ...header, type: 'directory' });
          if (!ignored || ignore.hasExceptions) await add(name);
        } else if (ignored) {
          continue;
        } else if (stats.isSymbolicLink()) {
          pack.entry({ ...header, type: 'symlink', linkname: await readlink(path) });
        } else if (stats.isFile()) {
          pack.entry({ ...header, type: 'file' }, await readFile(path));
        }
      }
    };
    await add('');
  })();
  sent.then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

// A CommonJS module whose exports are the factory; its types describe it as an ES default export.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

/** The build directory's `.dockerignore` (none: nothing is ignored); the two files docker always sends never are. */
async function dockerIgnoreOf(dir: string): Promise<{ ignores(path: string): boolean; readonly hasExceptions: boolean }> {
  const text = await readFile(join(dir, '.dockerignore'), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const patterns = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const matcher = dockerignore({ ignorecase: false }).add(patterns);
  return {
    ignores: (path) => path !== 'Dockerfile' && path !== '.dockerignore' && matcher.ignores(path),
    hasExceptions: patterns.some((p) => p.startsWith('!')),
  };
}
