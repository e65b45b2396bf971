import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs the real git in `cwd` with a fixed identity; returns trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const { stdout } = await run('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env });
  return stdout.trim();
}

/** `git init` + add everything + commit. */
export async function commitAll(cwd: string, message = 'commit'): Promise<void> {
  await git(cwd, 'init', '-q');
  await git(cwd, 'add', '-A');
  await git(cwd, 'commit', '-q', '--allow-empty', '-m', message);
}
