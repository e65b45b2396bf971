import { realpath } from 'node:fs/promises';
import { gitTreeDigest } from './git-tree-digest.js';
import type { GitOptions } from './run-git.js';
import { StatCache, statCachePath } from './stat-cache.js';
import { walkInput } from './walk-digest.js';

export interface InputDigest {
  /** `git:<tree hash>:<sha256>` or `walk:<sha256>`. */
  readonly digest: string;
  readonly method: 'git-tree' | 'walk';
}

export interface DigestOptions {
  readonly git?: GitOptions;
  /** Paths relative to the input left out (pmt's results and logs dirs inside it): plugins don't see them. */
  readonly exclude?: readonly string[];
  /** Where the stat data of earlier digests is kept (one file per input); without it every file is read. */
  readonly statDir?: string;
  /** False: use the stat cache but leave it as it is (a dry run). */
  readonly saveStats?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * A digest of what a plugin sees at /input: every entry's name, type, permission bits, owner and
 * group, and every file's content. Contents come from the git tree when git accounts for every file
 * (a clean work tree: no file is read), else from the files — each read only when its stat data
 * changed since the last digest of this input (see StatCache). git runs while the tree is walked; the
 * walk waits for its answer only before it would read the first file.
 */
export async function digestInput(dir: string, options: DigestOptions = {}): Promise<InputDigest> {
  const exclude = options.exclude ?? [];
  const gitTree = gitTreeDigest(dir, options.git, exclude).catch(() => undefined);
  const statPath = options.statDir === undefined ? undefined : statCachePath(options.statDir, await realpath(dir));
  const statCache = statPath === undefined ? StatCache.empty() : await StatCache.load(statPath);
  const result = await walkInput(dir, { exclude, statCache, gitTree, signal: options.signal });
  if (result.git !== undefined) return { digest: result.git, method: 'git-tree' };
  // A cache that cannot be written costs time next run, never a wrong digest.
  if (statPath !== undefined && options.saveStats !== false && statCache.changed) await statCache.save(statPath).catch(() => undefined);
  return { digest: result.walk!, method: 'walk' };
}
