import { gitIn, pathspecsWithout, type GitOptions } from './run-git.js';

/** The commit a directory's work tree is at, and whether the directory differs from it. */
export interface GitRevision {
  /** HEAD's commit hash. */
  readonly commit: string;
  /**
   * True when something under the directory is staged, modified, deleted or untracked (ignored
   * files do not count, as in `git status`).
   */
  readonly dirty: boolean;
  /** The directory's path inside the repository (`''` at its root, else ending in `/`). */
  readonly path: string;
}

/**
 * The git revision of `dir` when it is inside a work tree with at least one commit; otherwise
 * undefined. `exclude` (paths relative to `dir`: pmt's own results and logs inside the input) do not
 * make it dirty, as they do not change its digest.
 */
export async function gitRevision(dir: string, options: GitOptions = {}, exclude: readonly string[] = []): Promise<GitRevision | undefined> {
  const git = await gitIn(dir, options);
  if (git === undefined) return undefined;
  const [head, status] = await Promise.all([
    git('rev-parse', '--verify', '--show-prefix', 'HEAD^{commit}'),
    git('status', '--porcelain=v1', '--untracked-files=normal', '--ignore-submodules=none', '-z', '--', ...pathspecsWithout(exclude)),
  ]);
  if (!head.ok || !status.ok) return undefined;
  return parseRevision(head.stdout, status.stdout);
}

/** `rev-parse --show-prefix HEAD` prints the prefix line, then the hash. Pure. */
export function parseRevision(revParse: string, status: string): GitRevision | undefined {
  const [path, commit] = revParse.split('\n');
  if (path === undefined || commit === undefined || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit)) return undefined;
  return { commit, dirty: status !== '', path };
}
