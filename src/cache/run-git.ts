import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';

export interface GitOptions {
  /** The git program; default `git` from PATH. */
  readonly binary?: string;
  /** The environment git starts from (GIT_* variables are removed); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

export interface GitResult {
  readonly ok: boolean;
  readonly stdout: string;
}

/**
 * Runs `git <args>` in `cwd` without a shell. Never rejects: a missing git, a timeout or a non-zero
 * exit is `ok: false`, which the caller treats as "no git answer".
 */
export function runGit(args: readonly string[], cwd: string, options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      options.binary ?? 'git',
      args,
      { cwd, env: gitEnvironment(options.env ?? process.env), timeout: options.timeoutMs ?? 30_000, maxBuffer: 256 * 2 ** 20, encoding: 'utf8' },
      (error, stdout) => resolve({ ok: error === null, stdout }),
    );
  });
}

/**
 * `git` bound to `dir` (its real path): only this directory is trusted despite foreign ownership,
 * and its fsmonitor hook never runs. Undefined when `dir` cannot be resolved.
 */
export async function gitIn(dir: string, options: GitOptions = {}): Promise<((...args: string[]) => Promise<GitResult>) | undefined> {
  const cwd = await realpath(dir).catch(() => undefined);
  if (cwd === undefined) return undefined;
  return (...args) => runGit(['-c', `safe.directory=${cwd}`, '-c', 'core.fsmonitor=false', ...args], cwd, options);
}

/** The pathspecs of `dir` without `exclude` (paths relative to it): pmt's own output inside the input. */
export function pathspecsWithout(exclude: readonly string[]): string[] {
  return ['.', ...exclude.map((rel) => `:(exclude,literal)${rel}`)];
}

/**
 * The user's GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE… would make git describe another tree than
 * `cwd`; they go. GIT_OPTIONAL_LOCKS=0 keeps `git status` from rewriting the index of the input.
 */
function gitEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!name.startsWith('GIT_')) clean[name] = value;
  return { ...clean, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}
