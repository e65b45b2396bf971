import { execFile } from 'node:child_process';
import { lstat, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

/** How `.gitignore` shaped what was packed. */
export type GitignoreUse = 'off' | 'applied' | 'not-a-git-work-tree';

export interface InputSelection {
  readonly gitignore: GitignoreUse;
  /** Paths relative to the input, `/`-separated, sorted; undefined means everything under it. */
  readonly paths: readonly string[] | undefined;
}

const LIST_LIMIT_BYTES = 512 * 1024 * 1024;

/**
 * Which files of `dir` to pack. With `respectGitignore` in a git work tree: what git tracks plus
 * untracked files it does not ignore (`git ls-files --cached --others --exclude-standard`), never
 * `.git` itself. Outside a work tree, or without the option: everything.
 */
export async function selectInput(dir: string, respectGitignore: boolean): Promise<InputSelection> {
  if (!respectGitignore) return { gitignore: 'off', paths: undefined };
  const top = await workTreeOf(dir);
  if (top === undefined) return { gitignore: 'not-a-git-work-tree', paths: undefined };
  const listed = await gitLsFiles(dir, top);
  const paths = [...new Set(listed.split('\0').filter((p) => p !== '').map((p) => p.replace(/\/+$/, '')))].sort();
  return { gitignore: 'applied', paths };
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file for worktrees and submodules). */
async function workTreeOf(dir: string): Promise<string | undefined> {
  for (let current = await realpath(dir); ; current = dirname(current)) {
    if (await lstat(join(current, '.git')).then(() => true, () => false)) return current;
    if (dirname(current) === current) return undefined;
  }
}

function gitLsFiles(dir: string, top: string): Promise<string> {
  const args = [
    // Trust this one repository even when another user owns it (git refuses otherwise) — but
    // never run its configured fsmonitor hook: the input may be a stranger's repository.
    '-c', `safe.directory=${top}`,
    '-c', 'core.fsmonitor=false',
    '-C', dir,
    'ls-files', '-z', '--cached', '--others', '--exclude-standard',
  ];
  // GIT_DIR, GIT_WORK_TREE etc. of a calling hook would point git at another repository.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));
  return new Promise((resolve, reject) => {
    execFile('git', args, { env, maxBuffer: LIST_LIMIT_BYTES, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new UsageError(
          missing
            ? `cannot leave out what .gitignore ignores in ${dir}: git is not installed`
            : `git could not list the files of ${dir}: ${stderr.trim() || error.message}`,
          missing ? 'install git, or scan without the gitignore option' : 'fix the repository, or scan without the gitignore option',
        ),
      );
    });
  });
}
