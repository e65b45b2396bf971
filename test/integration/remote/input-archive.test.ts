import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { access, chmod, chown, mkdir, readFile, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { packInput } from '../../../src/docker/input-archive.js';
import { PmtError } from '../../../src/errors.js';
import { tempDir, writeTree } from '../../support/fixtures.js';
import { tarEntries } from './tar-entries.js';

const run = promisify(execFile);
const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=pmt', '-c', 'user.email=pmt@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd });

/** Bytes this process has read through read(2) so far (Linux). */
async function bytesRead(): Promise<number> {
  return Number(/^rchar: (\d+)$/m.exec(await readFile('/proc/self/io', 'utf8'))?.[1]);
}

describe('packInput', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-pack-');
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await dir.remove();
  });

  it('packs the whole tree at the archive root: modes and owners as they are, symlinks kept as symlinks', async () => {
    const input = join(dir.path, 'input');
    const deep = `deep/${'d'.repeat(60)}/${'e'.repeat(60)}/file-with-a-long-name.txt`;
    await writeTree(input, { LICENSE: 'MIT', 'bin/run.sh': '#!/bin/sh\n', 'private.key': 'k', 'docs/ünïcödé.md': 'u', [deep]: 'deep', '.git/HEAD': 'ref' });
    await chmod(join(input, 'bin/run.sh'), 0o750);
    await chmod(join(input, 'private.key'), 0o600);
    await utimes(join(input, 'LICENSE'), new Date('2020-02-02T02:02:02Z'), new Date('2020-02-02T02:02:02Z'));
    await mkdir(join(input, 'empty'));
    await symlink('LICENSE', join(input, 'link-rel'));
    await symlink('/etc/passwd', join(input, 'link-abs'));
    await symlink('bin', join(input, 'link-dir'));
    await run('mkfifo', [join(input, 'pipe')]);

    const packed = await packInput(input, { respectGitignore: false });
    const entries = await tarEntries(packed.stream);

    expect(Object.keys(entries).sort()).toEqual(
      ['.git', '.git/HEAD', 'LICENSE', 'bin', 'bin/run.sh', 'deep', 'deep/' + 'd'.repeat(60), `deep/${'d'.repeat(60)}/${'e'.repeat(60)}`, deep, 'docs', 'docs/ünïcödé.md', 'empty', 'link-abs', 'link-dir', 'link-rel', 'private.key'].sort(),
    );
    expect(entries.LICENSE).toMatchObject({ type: 'file', mode: '644', uid: 0, gid: 0, content: 'MIT', mtime: Date.parse('2020-02-02T02:02:02Z') });
    expect(entries['bin/run.sh']).toMatchObject({ type: 'file', mode: '750', content: '#!/bin/sh\n' });
    expect(entries['private.key']).toMatchObject({ mode: '600', content: 'k' });
    expect(entries[deep]).toMatchObject({ content: 'deep' });
    expect(entries['docs/ünïcödé.md']).toMatchObject({ content: 'u' });
    expect(entries.empty).toMatchObject({ type: 'directory', mode: '755', uid: 0 });
    expect(entries['link-rel']).toMatchObject({ type: 'symlink', linkname: 'LICENSE' });
    expect(entries['link-abs']).toMatchObject({ type: 'symlink', linkname: '/etc/passwd' });
    expect(entries['link-dir']).toMatchObject({ type: 'symlink', linkname: 'bin' });
    expect(packed.gitignore).toBe('off');
    expect(packed.summary()).toEqual({
      files: 6,
      directories: 7,
      symlinks: 3,
      bytes: 3 + 10 + 1 + 1 + 4 + 3,
      skipped: ['pipe'],
      skippedCount: 1,
      rewrittenLinks: [],
      rewrittenCount: 0,
      unreadable: [],
      unreadableCount: 0,
    });
  });

  it('streams a large file with backpressure: reading stops while nobody consumes the stream', async () => {
    const input = join(dir.path, 'input');
    const content = Buffer.alloc(64 * 1024 * 1024, 'pmt-');
    await writeTree(input, { 'big.bin': content });
    const before = await bytesRead();

    const packed = await packInput(input, { respectGitignore: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileIdle = (await bytesRead()) - before;
    const entries = await tarEntries(packed.stream);
    const total = (await bytesRead()) - before;

    expect(whileIdle).toBeLessThan(8 * 1024 * 1024);
    expect(total).toBeGreaterThanOrEqual(content.length);
    expect(entries['big.bin']?.content).toBe(`sha256:${createHash('sha256').update(content).digest('hex')}`);
  });

  it('fails the stream, naming the file, when a file shrinks while it is being copied', async () => {
    const input = join(dir.path, 'input');
    await writeTree(input, { 'growing.log': Buffer.alloc(8 * 1024 * 1024, 1) });
    const packed = await packInput(input, { respectGitignore: false });
    await once(packed.stream, 'readable');
    await truncate(join(input, 'growing.log'), 1024 * 1024);

    const failure = await tarEntries(packed.stream).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(PmtError);
    expect((failure as PmtError).message).toMatch(/^input file growing\.log changed while it was being copied \(8388608 bytes expected, \d+ read\)$/);
  });

  describe('with respectGitignore', () => {
    async function makeRepo(): Promise<string> {
      const repo = join(dir.path, 'repo');
      await writeTree(repo, {
        '.gitignore': '*.log\nbuild/\nsecret.env\n',
        LICENSE: 'Apache-2.0',
        'gone.txt': 'deleted after commit',
        'forced.log': 'tracked although ignored',
        'app.log': 'ignored',
        'build/out.o': 'ignored',
        'secret.env': 'TOKEN=1',
        'notes.txt': 'untracked, not ignored',
        'sub/.gitignore': '*.tmp\n',
        'sub/x.tmp': 'ignored',
        'sub/keep.c': 'int main;',
        'sub/y.log': 'ignored by the top .gitignore',
      });
      await git(repo, 'init', '-q');
      await git(repo, 'add', '.gitignore', 'LICENSE', 'gone.txt', 'sub/.gitignore');
      await git(repo, 'add', '-f', 'forced.log');
      await git(repo, 'commit', '-qm', 'init');
      await rm(join(repo, 'gone.txt'));
      return repo;
    }

    it('leaves out what git ignores and .git, keeps tracked and untracked files', async () => {
      const repo = await makeRepo();
      const packed = await packInput(repo, { respectGitignore: true });
      const entries = await tarEntries(packed.stream);

      expect(Object.keys(entries).sort()).toEqual(['.gitignore', 'LICENSE', 'forced.log', 'notes.txt', 'sub', 'sub/.gitignore', 'sub/keep.c']);
      expect(entries.sub).toMatchObject({ type: 'directory', mode: '755' });
      expect(packed.gitignore).toBe('applied');

      const everything = await tarEntries((await packInput(repo, { respectGitignore: false })).stream);
      expect(Object.keys(everything)).toEqual(expect.arrayContaining(['.git/HEAD', 'app.log', 'build/out.o', 'secret.env', 'sub/x.tmp']));
    });

    it('applies the repository’s ignore rules to an input that is a subdirectory of it', async () => {
      const repo = await makeRepo();
      const entries = await tarEntries((await packInput(join(repo, 'sub'), { respectGitignore: true })).stream);
      expect(Object.keys(entries).sort()).toEqual(['.gitignore', 'keep.c']);
    });

    it('packs a nested repository listed as one directory whole, without its .git', async () => {
      const repo = await makeRepo();
      await writeTree(join(repo, 'vendor/lib'), { 'lib.c': 'lib', 'debug.log': 'kept: the nested tree comes whole' });
      await git(join(repo, 'vendor/lib'), 'init', '-q');
      const entries = await tarEntries((await packInput(repo, { respectGitignore: true })).stream);
      expect(Object.keys(entries).filter((name) => name.startsWith('vendor')).sort()).toEqual(['vendor', 'vendor/lib', 'vendor/lib/debug.log', 'vendor/lib/lib.c']);
    });

    it('never follows a symlink out of the input, whatever the index lists', async () => {
      const repo = await makeRepo();
      await writeTree(repo, { 'a/b': 'inside' });
      await git(repo, 'add', 'a/b');
      await git(repo, 'commit', '-qm', 'a/b');
      await writeTree(dir.path, { 'outside/b': 'SECRET' });
      await rm(join(repo, 'a'), { recursive: true });
      await symlink(join(dir.path, 'outside'), join(repo, 'a'));

      const packed = await packInput(repo, { respectGitignore: true });
      const entries = await tarEntries(packed.stream);
      expect(entries.a).toMatchObject({ type: 'symlink', linkname: join(dir.path, 'outside') });
      expect(entries['a/b']).toBeUndefined();
      expect(JSON.stringify(entries)).not.toContain('SECRET');
      expect(packed.summary().skipped).toEqual(['a/b']);
    });

    it('reads a repository another user owns, without running its fsmonitor hook', async () => {
      const repo = await makeRepo();
      const marker = join(dir.path, 'hook-ran');
      await writeFile(join(dir.path, 'hook.sh'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
      await git(repo, 'config', 'core.fsmonitor', join(dir.path, 'hook.sh'));
      // The set-up is meaningful: plain git runs the hook.
      await git(repo, 'ls-files');
      await expect(access(marker)).resolves.toBeUndefined();
      await rm(marker);
      await run('chown', ['-R', '4321:4321', repo]);
      await expect(git(repo, 'ls-files')).rejects.toThrow(/dubious ownership/);

      const entries = await tarEntries((await packInput(repo, { respectGitignore: true })).stream);
      expect(Object.keys(entries)).toContain('notes.txt');
      expect(Object.keys(entries)).not.toContain('app.log');
      await expect(access(marker)).rejects.toThrow(/ENOENT/);
      await chown(repo, 0, 0);
    });

    it('lists the input’s repository even when GIT_DIR points at another one', async () => {
      const repo = await makeRepo();
      const other = join(dir.path, 'other');
      await writeTree(other, { 'other-file': 'x' });
      await git(other, 'init', '-q');
      await git(other, 'add', '.');
      await git(other, 'commit', '-qm', 'other');
      vi.stubEnv('GIT_DIR', join(other, '.git'));

      const entries = await tarEntries((await packInput(repo, { respectGitignore: true })).stream);
      expect(Object.keys(entries)).toContain('LICENSE');
      expect(Object.keys(entries)).not.toContain('other-file');
    });

    it('packs everything outside a git work tree and says so', async () => {
      const input = join(dir.path, 'plain');
      await writeTree(input, { 'a.log': 'kept', 'src/x.c': 'x' });
      const packed = await packInput(input, { respectGitignore: true });
      expect(Object.keys(await tarEntries(packed.stream)).sort()).toEqual(['a.log', 'src', 'src/x.c']);
      expect(packed.gitignore).toBe('not-a-git-work-tree');
    });
  });
});
