import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestInput } from '../../../src/cache/input-digest.js';
import { walkDigest } from '../../../src/cache/walk-digest.js';
import { tempDir, writeTree } from '../../support/fixtures.js';
import { commitAll, git } from './git-repo.js';

const TREE = { LICENSE: 'Apache-2.0\n', 'README.md': '# demo\n', 'src/main.c': '// SPDX-License-Identifier: MIT\n', 'src/deep/x.txt': 'x' };

let root: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ path: root, remove } = await tempDir('pmt-digest-test-'));
});
afterEach(async () => remove());

async function tree(name: string, files: Record<string, string> = TREE): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await writeTree(dir, files);
  return dir;
}

describe('the walk digest', () => {
  it('is the same for equal trees wherever they are, and repeatable', async () => {
    const a = await walkDigest(await tree('a'));
    expect(a).toMatch(/^walk:[0-9a-f]{64}$/);
    expect(await walkDigest(join(root, 'a'))).toBe(a);
    expect(await walkDigest(await tree('b'))).toBe(a);
  });

  it.each<[string, (dir: string) => Promise<unknown>]>([
    ['a byte of content', (dir) => writeFile(join(dir, 'src/main.c'), '// SPDX-License-Identifier: MIT!\n')],
    ['content of the same size', (dir) => writeFile(join(dir, 'LICENSE'), 'Apache-2.1\n')],
    ['a file name', (dir) => rename(join(dir, 'README.md'), join(dir, 'README.txt'))],
    ['a new empty file', (dir) => writeFile(join(dir, 'empty'), '')],
    ['a new empty directory', (dir) => mkdir(join(dir, 'empty-dir'))],
    ['a removed file', (dir) => rm(join(dir, 'src/deep/x.txt'))],
    ['the executable bit', (dir) => chmod(join(dir, 'LICENSE'), 0o755)],
    ['a file moved to another directory', (dir) => rename(join(dir, 'src/deep/x.txt'), join(dir, 'src/x.txt'))],
    ['a symlink', (dir) => symlink('LICENSE', join(dir, 'COPYING'))],
    ['the read permission of a file', (dir) => chmod(join(dir, 'LICENSE'), 0o600)],
    ['the mode of a directory', (dir) => chmod(join(dir, 'src'), 0o700)],
    ['the owner of a file', (dir) => chown(join(dir, 'LICENSE'), 65534, 0)],
    ['the group of a file', (dir) => chown(join(dir, 'LICENSE'), 0, 65534)],
  ])('changes with %s', async (_what, change) => {
    const dir = await tree('a');
    const before = await walkDigest(dir);
    await change(dir);
    expect(await walkDigest(dir)).not.toBe(before);
  });

  it('tells a symlink from a copy and follows no link target', async () => {
    const linked = await tree('linked', { target: 'x' });
    await symlink('target', join(linked, 'link'));
    const copied = await tree('copied', { target: 'x', link: 'target' });
    const retargeted = await tree('retargeted', { target: 'x', other: 'x' });
    await symlink('other', join(retargeted, 'link'));
    const digests = new Set([await walkDigest(linked), await walkDigest(copied), await walkDigest(retargeted)]);
    expect(digests.size).toBe(3);
  });

  it('does not hang on a FIFO and counts it as an entry', async () => {
    const dir = await tree('fifo');
    const before = await walkDigest(dir);
    await promisify(execFile)('mkfifo', [join(dir, 'pipe')]);
    expect(await walkDigest(dir)).not.toBe(before);
  });

  it('does not depend on the order files were created in', async () => {
    const forward = await tree('forward', { a: '1', b: '2', 'B/c': '3', 'é': '4' });
    const backward = await tree('backward', { 'é': '4', 'B/c': '3', b: '2', a: '1' });
    expect(await walkDigest(forward)).toBe(await walkDigest(backward));
  });
});

describe('digestInput', () => {
  it('uses the git tree of a clean work tree, and the same tree gives the same digest', async () => {
    const dir = await tree('repo');
    await commitAll(dir);
    const treeHash = await git(dir, 'rev-parse', 'HEAD^{tree}');
    const digest = await digestInput(dir);
    expect(digest).toEqual({ digest: expect.stringMatching(new RegExp(`^git:${treeHash}:[0-9a-f]{64}$`)), method: 'git-tree' });
    // A fresh clone has another .git but the same tree, modes and owners.
    await git(root, 'clone', '-q', dir, 'clone');
    expect(await digestInput(join(root, 'clone'))).toEqual(digest);
  });

  it('uses the tree of a subdirectory of a clean work tree', async () => {
    const dir = await tree('repo');
    await commitAll(dir);
    const subtree = await git(dir, 'rev-parse', 'HEAD:src');
    expect((await digestInput(join(dir, 'src'))).digest).toMatch(new RegExp(`^git:${subtree}:[0-9a-f]{64}$`));
  });

  it('changes when a committed file changes', async () => {
    const dir = await tree('repo');
    await commitAll(dir);
    const before = await digestInput(dir);
    await writeFile(join(dir, 'LICENSE'), 'MIT\n');
    await git(dir, 'commit', '-q', '-am', 'relicense');
    const after = await digestInput(dir);
    expect(after.method).toBe('git-tree');
    expect(after.digest).not.toBe(before.digest);
  });

  it.each<[string, (dir: string) => Promise<unknown>]>([
    ['a modified file', (dir) => writeFile(join(dir, 'LICENSE'), 'MIT\n')],
    ['a staged change', async (dir) => (await writeFile(join(dir, 'LICENSE'), 'MIT\n'), git(dir, 'add', 'LICENSE'))],
    ['an untracked file', (dir) => writeFile(join(dir, 'src/new.c'), '')],
    ['an ignored file', async (dir) => (await writeFile(join(dir, 'build.log'), 'x'), writeFile(join(dir, '.git/info/exclude'), '*.log\n'))],
    ['an ignored directory', async (dir) => (await writeTree(dir, { 'node_modules/a/index.js': '' }), writeFile(join(dir, '.git/info/exclude'), 'node_modules/\n'))],
    ['a deleted file', (dir) => rm(join(dir, 'README.md'))],
    ['an assume-unchanged file', async (dir) => (await git(dir, 'update-index', '--assume-unchanged', 'LICENSE'), writeFile(join(dir, 'LICENSE'), 'MIT\n'))],
    ['a skip-worktree file', (dir) => git(dir, 'update-index', '--skip-worktree', 'LICENSE')],
  ])('walks the files when the work tree has %s', async (_what, change) => {
    const dir = await tree('repo');
    await commitAll(dir);
    await change(dir);
    const digest = await digestInput(dir);
    expect(digest).toEqual({ digest: await walkDigest(dir), method: 'walk' });
  });

  it.each<[string, (dir: string) => Promise<unknown>]>([
    ['an empty directory added', (dir) => mkdir(join(dir, 'src/empty'))],
    ['a file made unreadable', (dir) => chmod(join(dir, 'LICENSE'), 0o000)],
    ['a file given to another owner', (dir) => chown(join(dir, 'LICENSE'), 65534, 65534)],
    ['a directory made unreadable', (dir) => chmod(join(dir, 'src'), 0o311)],
  ])('still uses the git tree, but changes with %s (what git does not track)', async (_what, change) => {
    const dir = await tree('repo');
    await commitAll(dir);
    const before = await digestInput(dir);
    await change(dir);
    expect(await git(dir, 'status', '--porcelain', '--ignored')).toBe('');
    const after = await digestInput(dir);
    expect(after.method).toBe('git-tree');
    expect(after.digest).not.toBe(before.digest);
  });

  it('leaves excluded paths (pmt\'s own output) out of both the git check and the walk', async () => {
    const dir = await tree('repo');
    await commitAll(dir);
    const clean = await digestInput(dir, { exclude: ['pmt-results'] });
    await writeTree(dir, { 'pmt-results/licensee_result.json': '{}' });
    expect(await digestInput(dir, { exclude: ['pmt-results'] })).toEqual(clean);
    expect((await digestInput(dir)).method).toBe('walk');
    const plain = await tree('plain');
    const before = await digestInput(plain, { exclude: ['out'] });
    await writeTree(plain, { 'out/a': 'x', 'out/b/c': 'y' });
    expect(await digestInput(plain, { exclude: ['out'] })).toEqual(before);
  });

  it('walks a work tree with a submodule', async () => {
    const sub = await tree('sub', { 'lib.c': '' });
    await commitAll(sub);
    const dir = await tree('repo');
    await commitAll(dir);
    await git(dir, '-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', sub, 'vendor/sub');
    await git(dir, 'commit', '-q', '-m', 'submodule');
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect((await digestInput(dir)).method).toBe('walk');
  });

  it('walks when there is no usable git: no repo, no commit, the .git directory, no git binary', async () => {
    const plain = await tree('plain');
    expect((await digestInput(plain)).method).toBe('walk');
    const empty = await tree('empty', {});
    await git(empty, 'init', '-q');
    expect((await digestInput(empty)).method).toBe('walk');
    const dir = await tree('repo');
    await commitAll(dir);
    expect((await digestInput(join(dir, '.git'))).method).toBe('walk');
    expect(await digestInput(dir, { git: { binary: join(root, 'no-such-git') } })).toEqual({ digest: await walkDigest(dir), method: 'walk' });
  });

  it("ignores the user's GIT_DIR and GIT_WORK_TREE", async () => {
    const other = await tree('other', { x: 'y' });
    await commitAll(other);
    const dir = await tree('repo');
    await commitAll(dir);
    const env = { ...process.env, GIT_DIR: join(other, '.git'), GIT_WORK_TREE: other };
    expect((await digestInput(dir, { git: { env } })).digest).toMatch(new RegExp(`^git:${await git(dir, 'rev-parse', 'HEAD^{tree}')}:`));
  });

  it('does not touch the index of the input (no optional locks)', async () => {
    const dir = await tree('repo');
    await commitAll(dir);
    const index = await promisify(execFile)('stat', ['-c', '%Y.%y', join(dir, '.git/index')]);
    // Make every index entry "racy" so that a status with optional locks would rewrite the index.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await writeFile(join(dir, 'LICENSE'), 'Apache-2.0\n');
    await digestInput(dir);
    const after = await promisify(execFile)('stat', ['-c', '%Y.%y', join(dir, '.git/index')]);
    expect(after.stdout).toBe(index.stdout);
  });
});
