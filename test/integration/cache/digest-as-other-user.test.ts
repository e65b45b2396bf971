import { execFile } from 'node:child_process';
import { chmod, mkdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, writeTree } from '../../support/fixtures.js';
import { commitAll, git } from '../../unit/cache/git-repo.js';

const run = promisify(execFile);
const DIGEST_MODULE = pathToFileURL(join(REPO_ROOT, 'dist', 'cache', 'input-digest.js')).href;

/**
 * digestInput in a child process of the built code (`npm test` builds first), as an unprivileged
 * user when the tests run as root: root reads files of any mode, so only a process without root
 * can meet an unreadable file, and only another user meets git's check of the repository's owner.
 */
async function digestAsUser(dir: string): Promise<{ digest: string; method: string }> {
  const script = `import(${JSON.stringify(DIGEST_MODULE)}).then((m) => m.digestInput(${JSON.stringify(dir)})).then((d) => console.log(JSON.stringify(d)))`;
  const command = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
  const { stdout } = await run(command[0]!, [...command.slice(1), '--input-type=module', '-e', script], { timeout: 20_000 });
  return JSON.parse(stdout) as { digest: string; method: string };
}

let root: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ path: root, remove } = await tempDir('pmt-walk-unreadable-'));
  await chmod(root, 0o755);
});
afterEach(async () => {
  await chmod(join(root, 'in', 'secret'), 0o644).catch(() => undefined);
  await chmod(join(root, 'in', 'locked'), 0o755).catch(() => undefined);
  await remove();
});

describe('the walk digest of unreadable entries', () => {
  it('marks an unreadable file or directory instead of failing, and still sees its size change', async () => {
    const dir = join(root, 'in');
    await mkdir(dir, { mode: 0o755 });
    await writeTree(dir, { LICENSE: 'MIT\n', secret: 'hidden content', 'locked/inner': 'x' });
    await chmod(dir, 0o755);
    await chmod(join(dir, 'locked'), 0o755);
    const readable = await digestAsUser(dir);
    expect(readable.method).toBe('walk');

    await chmod(join(dir, 'secret'), 0o000);
    await chmod(join(dir, 'locked'), 0o000);
    const unreadable = await digestAsUser(dir);
    expect(unreadable.digest).toMatch(/^walk:[0-9a-f]{64}$/);
    expect(unreadable.digest).not.toBe(readable.digest);
    expect(await digestAsUser(dir)).toEqual(unreadable);

    await truncate(join(dir, 'secret'), 3);
    expect((await digestAsUser(dir)).digest).not.toBe(unreadable.digest);
  });
});

describe('the git digest of a repository owned by another user', () => {
  it('trusts the scanned directory itself (safe.directory) but no repository above it', async () => {
    const dir = join(root, 'in');
    await mkdir(dir, { mode: 0o755 });
    await writeTree(dir, { LICENSE: 'MIT\n', 'src/a.c': '' });
    await commitAll(dir);
    expect(await digestAsUser(dir)).toEqual({ digest: expect.stringMatching(new RegExp(`^git:${await git(dir, 'rev-parse', 'HEAD^{tree}')}:[0-9a-f]{64}$`)), method: 'git-tree' });
    // A subdirectory's repository is not what the user named; as root's repo seen by nobody it is walked.
    const sub = await digestAsUser(join(dir, 'src'));
    expect(sub.method).toBe(process.getuid?.() === 0 ? 'walk' : 'git-tree');
  });
});
