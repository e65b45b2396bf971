import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import dockerignoreModule from '@balena/dockerignore';
import { pack as tarPack } from 'tar-stream';

/** A directory of this machine sent as `at` (a path inside the build context), e.g. installed npm packages. */
export interface ContextOverlay {
  readonly at: string;
  readonly from: string;
}

/**
 * A plugin's build directory as a tar stream for the engine's build API: every file with its mode
 * (an executable helper script stays executable), directories and symbolic links as they are.
 * `.dockerignore` is applied as `docker build` applies it (@balena/dockerignore is a port of
 * Docker's own matcher): the Dockerfile and `.dockerignore` always go, and an ignored directory is
 * still walked when a `!` pattern may bring something in it back. Build directories are small (a
 * Dockerfile, a few scripts, pinned npm packages); files are streamed into the tar one at a time,
 * at the pace the engine reads it. `overlays` add directories that live elsewhere (see
 * installNpmPackages).
 */
export function packBuildContext(dir: string, overlays: readonly ContextOverlay[] = []): Readable {
  const pack = tarPack();
  const sent = (async () => {
    const ignore = await dockerIgnoreOf(dir);
    // `from` is walked as if it were `at` in the build directory (whose own `at`, if any, is not sent).
    const add = async (root: string, relative: string, prefix = ''): Promise<void> => {
      for (const entry of (await readdir(join(root, relative), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const inRoot = relative ? `${relative}/${entry.name}` : entry.name;
        const name = prefix ? `${prefix}/${inRoot}` : inRoot;
        if (!prefix && overlays.some((o) => o.at === name)) continue;
        const ignored = ignore.ignores(name);
        const path = join(root, inRoot);
        const stats = await lstat(path);
        const header = { name, mode: stats.mode & 0o7777, mtime: stats.mtime };
        if (stats.isDirectory()) {
          if (!ignored) pack.entry({ ...header, type: 'directory' });
          if (!ignored || ignore.hasExceptions) await add(root, inRoot, prefix);
        } else if (ignored) {
          continue;
        } else if (stats.isSymbolicLink()) {
          pack.entry({ ...header, type: 'symlink', linkname: await readlink(path) });
        } else if (stats.isFile()) {
          // Streamed with back-pressure: pinned npm packages make a context of many megabytes.
          await pipeline(createReadStream(path), pack.entry({ ...header, type: 'file', size: stats.size }));
        }
      }
    };
    await add(dir, '');
    for (const overlay of overlays) {
      const stats = await lstat(overlay.from);
      if (!ignore.ignores(overlay.at)) pack.entry({ name: overlay.at, mode: stats.mode & 0o7777, mtime: stats.mtime, type: 'directory' });
      if (!ignore.ignores(overlay.at) || ignore.hasExceptions) await add(overlay.from, '', overlay.at);
    }
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
