import { gitIn, pathspecsWithout, type GitOptions } from './run-git.js';

/**
 * The tree hash of `dir` when it is in a git work tree whose content git fully accounts for;
 * otherwise undefined (the caller walks the files). The tree hash stands for the contents only when:
 * - `git status` of the directory prints nothing: no staged, modified, untracked or ignored file
 *   (ignored ones such as node_modules are visible to plugins in /input too);
 * - no index entry under it is a submodule (its content is not in our tree) or marked
 *   assume-unchanged / skip-worktree (status does not look at those files).
 * Not seen: empty directories, modes beyond the executable bit, owners — the caller's walk adds them.
 * `exclude` (paths relative to `dir`) are left out of status and the index check: pmt's own output.
 */
export async function gitTreeDigest(dir: string, options: GitOptions = {}, exclude: readonly string[] = []): Promise<string | undefined> {
  const git = await gitIn(dir, options);
  if (git === undefined) throw new Error(`cannot resolve ${dir}`);
  const paths = pathspecsWithout(exclude);
  const [head, status, index] = await Promise.all([
    git('rev-parse', '--is-inside-work-tree', '--verify', 'HEAD:./'),
    // `normal` lists an untracked or ignored directory once instead of every file in it: we only
    // need to know whether anything is listed.
    git('status', '--porcelain=v1', '--ignored=matching', '--untracked-files=normal', '--ignore-submodules=none', '-z', '--', ...paths),
    git('ls-files', '--stage', '-v', '-z', '--', ...paths),
  ]);
  if (!head.ok || !status.ok || !index.ok) return undefined;
  const tree = parseTree(head.stdout);
  if (tree === undefined || status.stdout !== '' || !indexIsPlain(index.stdout)) return undefined;
  return tree;
}

/** `true\n<hash>\n` → hash; `false` (inside .git) or anything else → undefined. */
export function parseTree(stdout: string): string | undefined {
  const [inside, tree] = stdout.split('\n');
  return inside === 'true' && tree !== undefined && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(tree) ? tree : undefined;
}

/**
 * `ls-files -s -v -z` entries look like `H 100644 <hash> 0\t<path>`. Only tag `H` (a plain cached
 * file) is accounted for by status; mode 160000 is a submodule.
 */
export function indexIsPlain(stdout: string): boolean {
  for (const entry of stdout.split('\0')) {
    if (entry === '') continue;
    if (!entry.startsWith('H ') || entry.startsWith('H 160000 ')) return false;
  }
  return true;
}
