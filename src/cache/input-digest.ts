import { gitTreeDigest } from './git-tree-digest.js';
import type { GitOptions } from './run-git.js';
import { walkDigest } from './walk-digest.js';

export interface InputDigest {
  /** `git:<tree hash>` or `walk:<sha256>`. */
  readonly digest: string;
  readonly method: 'git-tree' | 'walk';
}

/**
 * A content hash of the directory a scan mounts at /input: the git tree hash when git accounts for
 * every file in it (fast, no file read), else a walk of names, types, sizes and contents.
 */
export async function digestInput(dir: string, git: GitOptions = {}): Promise<InputDigest> {
  const tree = await gitTreeDigest(dir, git).catch(() => undefined);
  if (tree !== undefined) return { digest: tree, method: 'git-tree' };
  return { digest: await walkDigest(dir), method: 'walk' };
}
