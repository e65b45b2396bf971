import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copySampleRepo, snapshotTree, tempDir, writeConfig, writeRegistry, writeTree } from '../support/fixtures.js';
import { containersWithLabels } from '../support/engine-state.js';
import { runPmt } from '../support/run-pmt.js';
import { scanJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';

describe('pmt scan (archive copy) on the real engine', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let config: string;

  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
  });
  afterEach(async () => {
    await dir.remove();
  });

  const scan = (registry: string, args: string[]) => scanJson(['-i', repo, '-r', registry, '-c', config, ...args], { cwd: dir.path });

  it('runs plugins in parallel: wall time well under the sum of their durations', async () => {
    const sleeper = (name: string) => ({ name, image: TestImages.shell, cmd: 'sleep 2 && echo done > /result/result.txt' });
    const registry = await writeRegistry(dir.path, [sleeper('sleep-a'), sleeper('sleep-b'), sleeper('sleep-c')]);
    const started = Date.now();
    const { code, report } = await scan(registry, ['-p', 'all']);
    const wall = Date.now() - started;

    expect(code).toBe(0);
    expect(report.plugins.map((p) => p.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const sum = report.plugins.reduce((total, p) => total + p.durationMs, 0);
    expect(sum).toBeGreaterThanOrEqual(6000);
    expect(wall).toBeLessThan(sum * 0.7);
  });

  it('reports a failing plugin, keeps its stderr in its log, and lets the others succeed', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'fails', image: TestImages.shell, cmd: 'echo "scanner broke: no such thing" >&2; exit 3' },
      { name: 'works', image: TestImages.shell, cmd: 'ls /input > /result/result.txt' },
    ]);
    const { code, report } = await scan(registry, ['-p', 'fails,works']);

    expect(code).toBe(1);
    const [fails, works] = report.plugins;
    expect(fails).toMatchObject({ name: 'fails', status: 'failed', exitCode: 3, results: [] });
    expect(fails?.error?.origin).toBe('plugin');
    expect(fails?.error?.message).toContain('exited with code 3');
    expect(fails?.error?.message).toContain('scanner broke: no such thing');
    const log = await readFile(fails!.logPath, 'utf8');
    expect(log).toContain('stderr of command /bin/sh -c echo "scanner broke: no such thing" >&2; exit 3');
    expect(log).toContain('scanner broke: no such thing');
    expect(fails!.logPath).toMatch(/pmt_container_output_fails_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.log$/);

    expect(works).toMatchObject({ name: 'works', status: 'succeeded', exitCode: 0 });
    const saved = await readFile(join(dir.path, 'results', 'works_result.txt'), 'utf8');
    expect(saved.split('\n')).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'src']));
    expect(works?.results[0]?.localPath).toBe(join(dir.path, 'results', 'works_result.txt'));
  });

  it('mounts the input read-only: a plugin that writes to /input fails and the repo is untouched', async () => {
    const before = await snapshotTree(repo);
    const registry = await writeRegistry(dir.path, [
      { name: 'vandal', image: TestImages.shell, cmd: 'echo x > /input/LICENSE; touch /input/new && echo ok > /result/result.txt' },
    ]);
    const { code, report } = await scan(registry, ['-p', 'vandal']);

    expect(code).toBe(1);
    expect(report.plugins[0]?.status).toBe('failed');
    expect(report.plugins[0]?.error?.message).toContain('Read-only file system');
    expect(await snapshotTree(repo)).toEqual(before);
  });

  it('scans an input whose path contains a colon (Docker bind syntax would split it)', async () => {
    const odd = join(dir.path, 'odd:name');
    await writeTree(odd, { LICENSE: 'MIT License' });
    const registry = await writeRegistry(dir.path, [{ name: 'lister', image: TestImages.shell, cmd: 'ls /input > /result/result.txt' }]);
    const { code, report } = await scanJson(['-i', odd, '-r', registry, '-c', config, '-p', 'lister'], { cwd: dir.path });
    expect(code).toBe(0);
    expect(await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8')).toBe('LICENSE\n');
  });

  it('fails a plugin whose declared result is missing, naming the file', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'forgetful', image: TestImages.shell, cmd: 'echo a > /result/other.txt', results: ['result.txt'] },
    ]);
    const { code, report } = await scan(registry, ['-p', 'forgetful']);

    expect(code).toBe(1);
    expect(report.plugins[0]?.error?.message).toContain('/result/result.txt');
    expect(report.plugins[0]?.error?.message).toContain('forgetful');
    // No result is saved; the run's provenance record (no subjects) still is.
    expect(await readdir(join(dir.path, 'results')).catch(() => [])).toEqual(['pmt-provenance.intoto.json']);
  });

  it('fails a plugin whose image exists nowhere, with one clear message, and runs the rest', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'ghost', image: 'localhost:1/pmt-test/does-not-exist:0.0.1', cmd: 'true' },
      { name: 'works', image: TestImages.shell, cmd: 'echo ok > /result/result.txt' },
    ]);
    const { code, report } = await scan(registry, ['-p', 'all']);

    expect(code).toBe(1);
    const ghost = report.plugins[0];
    expect(ghost?.status).toBe('failed');
    expect(ghost?.error?.origin).toBe('docker');
    expect(ghost?.error?.message).toContain('localhost:1/pmt-test/does-not-exist:0.0.1');
    expect(ghost?.error?.message).toContain('pulling it failed (credentials: anonymous)');
    expect(report.plugins[1]?.status).toBe('succeeded');
  });

  it('fails a plugin whose image lacks its shell at the compatibility check, with what came back, and runs the rest', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'shell-less', image: TestImages.shell, shell: '/bin/no-such-shell', cmd: 'echo never > /result/result.txt' },
      { name: 'not-a-shell', image: TestImages.shell, shell: '/bin/true', cmd: 'echo never > /result/result.txt' },
      { name: 'works', image: TestImages.shell, cmd: 'echo ok > /result/result.txt' },
    ]);
    const { code, report } = await scan(registry, ['-p', 'all']);

    expect(code).toBe(1);
    const [shellLess, notAShell, works] = report.plugins;
    for (const failed of [shellLess, notAShell]) {
      expect(failed?.status).toBe('failed');
      expect(failed?.error?.origin).toBe('plugin');
      expect(failed?.error?.hint).toContain('POSIX shell');
    }
    expect(shellLess?.error?.message).toMatch(/^compatibility check `echo test` could not run: the container's main shell ended/);
    // A program that starts and exits by itself on pmt's first line is not a shell.
    expect(notAShell?.error?.message).toBe('`/bin/true` is not a POSIX shell: pmt writes shell commands to it, and it exited with code 0 on the first one');
    // What the engine's init said when it could not start the missing shell reaches the user.
    expect(shellLess?.error?.message).toContain('/bin/no-such-shell');
    expect(works?.status).toBe('succeeded');
    expect(await containersWithLabels('pmt.plugin=shell-less')).toEqual([]);
  });

  it('writes every command of a plugin run into its log, in the original layout', async () => {
    const registry = await writeRegistry(dir.path, [
      { name: 'chatty', image: TestImages.shell, cmd: 'echo to-stdout; echo to-stderr >&2; echo r > /result/result.txt' },
    ]);
    const { code, report } = await scan(registry, ['-p', 'chatty']);

    expect(code).toBe(0);
    const log = await readFile(report.plugins[0]!.logPath, 'utf8');
    expect(log).toContain('stdout of command /bin/sh -c echo test\ntest\n');
    expect(log).toContain('stdout of command /bin/sh -c echo to-stdout; echo to-stderr >&2; echo r > /result/result.txt\nto-stdout\n');
    expect(log).toContain('stderr of command /bin/sh -c echo to-stdout; echo to-stderr >&2; echo r > /result/result.txt\nto-stderr\n');
    expect(log).not.toContain('stderr of command /bin/sh -c echo test');
  });
});

describe('pmt scan refuses bad requests before starting any container', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
    await writeTree(dir.path, { 'repo/LICENSE': 'MIT' });
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('an unknown plugin name is an error listing the available ones (no fallback to the default)', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'one', image: TestImages.shell, cmd: 'true' }], 'one');
    const run = await runPmt(['scan', '-i', 'repo', '-r', registry, '-p', 'nope'], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown plugin "nope"');
    expect(run.stderr).toContain('available: one');
    expect(run.stdout).toBe('');
  });

  it('an incompatible core_version is refused with both versions named', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'future', image: TestImages.shell, cmd: 'true', core_version: '>=2.0.0' }]);
    const run = await runPmt(['scan', '-i', 'repo', '-r', registry, '-p', 'future'], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('plugin "future" 1.0.0 needs core engine >=2.0.0, but this pmt has core engine 1.0.0');
  });

  it('a missing input directory is a usage error', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'one', image: TestImages.shell, cmd: 'true' }], 'one');
    const run = await runPmt(['scan', '-i', 'nowhere', '-r', registry], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage error: input directory .*nowhere does not exist/);
  });

  it('an unusable results directory is refused before any container starts', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'one', image: TestImages.shell, cmd: 'echo x > /result/result.txt' }], 'one');
    const before = await containersWithLabels(`pmt.pid=${process.pid}`);
    const run = await runPmt(['scan', '-i', 'repo', '-r', registry, '-o', 'repo/LICENSE/out'], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot use ${join(dir.path, 'repo/LICENSE/out')} as the results directory (-o or PathDirResults): ENOTDIR`);
    expect(run.stderr).not.toContain('Executing command');
    expect(await containersWithLabels(`pmt.pid=${process.pid}`)).toEqual(before);
  });

  it('an input that is a file is a usage error', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'one', image: TestImages.shell, cmd: 'true' }], 'one');
    const run = await runPmt(['scan', '-i', 'repo/LICENSE', '-r', registry], { cwd: dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a directory');
  });
});
