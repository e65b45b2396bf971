import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

/** An author runs the same plugin again and again while changing it: what pmt says each time. */
describe('re-running a plugin while writing it', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let registry: string;
  let config: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    dir = await tempDir('pmt-re-runs-');
    await writeFile(join(dir.path, 'a.txt'), 'a\n');
    registry = join(dir.path, 'plugins.yaml');
    config = await writeConfig(dir.path, { RestApi: false });
    // One cache for the runs of a test, as an author has one.
    env = { XDG_CACHE_HOME: join(dir.path, 'cache') };
  });
  afterEach(async () => {
    await dir.remove();
  });

  const entry = async (cmd: string, extra = ''): Promise<void> => {
    const input = join(dir.path, 'input');
    await writeFile(registry, `version: R1.0\nplugins:\n  - name: p\n    version: 1.0.0\n    docker_image: ${TestImages.shell}\n    shell: /bin/sh\n    cmd: ${cmd}\n    results: [r.txt]\n${extra}`);
    await mkdir(input, { recursive: true });
    await writeFile(join(input, 'a.txt'), 'a\n');
  };
  const scan = (extra: string[] = [], more: NodeJS.ProcessEnv = {}) =>
    scanJson(['-r', registry, '-c', config, '-p', 'p', '-i', join(dir.path, 'input'), '-o', join(dir.path, 'out'), ...extra], { cwd: dir.path, env: { ...env, ...more } });

  it('--dry-run shows the root chmod and whether the cache would answer; PMT_NO_CACHE=1 runs the plugin', async () => {
    await entry('echo v1 > /result/r.txt', '    user: "1000"\n');
    const dry = async (more: NodeJS.ProcessEnv = {}) =>
      (await runPmt(['scan', '-r', registry, '-c', config, '-p', 'p', '-i', join(dir.path, 'input'), '--dry-run'], { cwd: dir.path, env: { ...env, ...more } })).stdout;

    const before = await dry();
    expect(before).toContain("    1. /bin/sh -c echo test (written behind pmt's first line, before the container starts)\n    2. chmod 0777 /result (as root, in an engine exec: the container runs as 1000)\n");
    expect(before).toContain('  cache:      miss: the plugin runs\n');

    expect((await scan()).report.plugins[0]).toMatchObject({ status: 'succeeded' });
    expect(await dry()).toMatch(/ {2}cache: {6}hit: results of \S+ would be restored, no container started \(--no-cache runs it\)\n/);
    expect(await dry({ PMT_NO_CACHE: '1' })).toContain('  cache:      off (--no-cache or PMT_NO_CACHE): the plugin runs\n');

    const cached = await scan();
    expect(cached.report.plugins[0]).toMatchObject({ status: 'cached', exitCode: null });
    expect(await readFile(cached.report.plugins[0]!.logPath, 'utf8')).toContain('--no-cache or PMT_NO_CACHE=1 runs the plugin');
    const fresh = await scan([], { PMT_NO_CACHE: '1' });
    expect(fresh.report.plugins[0]).toMatchObject({ status: 'succeeded', exitCode: 0 });
  });

  it('a failed re-run removes the results an earlier run left in -o, and says so', async () => {
    await entry('echo v1 > /result/r.txt');
    const first = await scan();
    const saved = first.report.plugins[0]!.results[0]!.localPath;
    expect(await readFile(saved, 'utf8')).toBe('v1\n');

    await entry('echo broken >&2; exit 2');
    const second = await scan(['--log-format', 'text']);
    expect(second.report.plugins[0]).toMatchObject({ status: 'failed', results: [] });
    await expect(stat(saved)).rejects.toThrow(/ENOENT/);
    expect(second.stderr).toContain(`Removed ${saved}: left by an earlier run, and plugin p produced no results in this one`);
  });
});
