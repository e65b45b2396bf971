import { realpath } from 'node:fs/promises';
import { runGit, type GitOptions } from './run-git.js';

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

/** The git revision of `dir` when it is inside a work tree with at least one commit; otherwise undefined. */
export async function gitRevision(dir: string, options: GitOptions = {}): Promise<GitRevision | undefined> {
  const cwd = await realpath(dir).catch(() => undefined);
  if (cwd === undefined) return undefined;
  // As in gitTreeDigest: only this directory is trusted despite foreign ownership; no fsmonitor hook runs.
  const git = (...args: string[]): ReturnType<typeof runGit> =>
    runGit(['-c', `safe.directory=${cwd}`, '-c', 'core.fsmonitor=false', ...args], cwd, options);
  const [head, status] = await Promise.all([
    git('rev-parse', '--verify', '--show-prefix', 'HEAD^{commit}'),
    git('status', '--porcelain=v1', '--untracked-files=normal', '--ignore-submodules=none', '-z', '--', '.'),
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
