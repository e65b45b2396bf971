import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A path to pack, relative to the input (`/`-separated), or one to leave out and why. */
export type Candidate =
  | {
      readonly rel: string;
      readonly abs: string;
      /** A directory git listed as one path (a submodule or nested repository): pack it whole, without `.git`. */
      readonly expand: boolean;
    }
  | { readonly rel: string; readonly skip: string };

/** Everything under `rel`, directories before their contents, in name order. */
export async function* walkAll(dir: string, rel: string, skipGit: boolean): AsyncGenerator<Candidate> {
  const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(ignoreVanished);
  for (const entry of (entries ?? []).sort((a, b) => compare(a.name, b.name))) {
    if (skipGit && entry.name === '.git') continue;
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    yield { rel: childRel, abs: join(dir, childRel), expand: false };
    // Dirent types come from lstat semantics: a symlink to a directory is not followed.
    if (entry.isDirectory()) yield* walkAll(dir, childRel, skipGit);
  }
}

/**
 * The paths git listed, each after its parent directories. A path beneath a symlink is left out:
 * opening it would follow the link out of the input (a crafted index can name such paths).
 */
export async function* walkListed(dir: string, paths: readonly string[]): AsyncGenerator<Candidate> {
  const directories = new Set<string>();
  for (const rel of paths) {
    const parts = rel.split('/');
    let blocked: string | undefined;
    for (let i = 1; i < parts.length && blocked === undefined; i++) {
      const parent = parts.slice(0, i).join('/');
      if (directories.has(parent)) continue;
      const stats = await lstat(join(dir, parent)).catch(ignoreVanished);
      if (stats?.isDirectory()) {
        directories.add(parent);
        yield { rel: parent, abs: join(dir, parent), expand: false };
      } else blocked = stats?.isSymbolicLink() ? `beneath the symlink ${parent}` : `${parent} is not a directory`;
    }
    if (blocked !== undefined) yield { rel, skip: blocked };
    else if (!directories.has(rel)) yield { rel, abs: join(dir, rel), expand: true };
  }
}

export function ignoreVanished(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
