import { mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import { runPmtInOtherPidNamespace, spawnPmt } from '../../support/run-pmt.js';
import { TestImages } from '../../support/test-images.js';

describe('issue 10 item 15: SIGHUP cleans up like SIGTERM; temp dirs of dead runs are swept; volumes carry pmt labels', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  let config: string;
  /** pmt's temp dir for these runs alone (TMPDIR), so what is there is theirs. */
  let tmp: string;
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    tmp = join(dir.path, 'tmp');
    await mkdir(tmp);
    config = await writeConfig(dir.path, { RestApi: true, PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [
      { name: 'slow', image: TestImages.curl, cmd: 'sleep 300' },
      { name: 'quick', image: TestImages.curl, cmd: 'echo ok > /result/result.txt', results: ['result.txt'] },
    ]);
  });
  afterEach(async () => {
    await dir.remove();
  });

  const scan = (plugin: string) => spawnPmt(['scan', '-i', repo, '-r', registry, '-c', config, '-p', plugin, '--no-cache'], { cwd: dir.path, env: { TMPDIR: tmp } });
  const runDirs = async (): Promise<string[]> => (await readdir(tmp)).filter((n) => n.startsWith('pmt-run-')).sort();

  it('SIGHUP (terminal closed) removes the run\'s container and its labelled /result volume, and exits 129', async () => {
    const child = scan('slow');
    const mine = `pmt.pid=${child.pid}`;
    await expect.poll(async () => (await containersWithLabels(mine)).map((c) => c.State), { timeout: 30_000 }).toEqual(['running']);
    const volumes = await docker.listVolumes({ filters: { label: [mine] } });
    expect((volumes.Volumes ?? []).map((v) => v.Labels?.['pmt.plugin'])).toEqual(['slow']);

    child.kill('SIGHUP');
    const run = await child.result;
    expect(run.code, run.stderr).toBe(129);
    expect(run.stdout).toContain('Interrupted by SIGHUP');
    expect(await containersWithLabels(mine)).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [mine] } })).Volumes ?? []).toEqual([]);
    expect(await runDirs()).toEqual([]);
  });

  it('a later run removes the temp dir (spill files, REST socket) of a SIGKILLed run, and keeps a live run\'s and anything not its own', async () => {
    const killed = scan('slow');
    await expect.poll(async () => (await containersWithLabels(`pmt.pid=${killed.pid}`)).map((c) => c.State), { timeout: 30_000 }).toEqual(['running']);
    const [killedDir] = await runDirs();
    expect(killedDir).toBeDefined();
    // The REST socket's directory is in it.
    expect((await readdir(join(tmp, killedDir!))).some((n) => n.startsWith('pmt-api-'))).toBe(true);
    killed.kill('SIGKILL');
    await killed.result;

    const live = scan('slow');
    await expect.poll(async () => (await containersWithLabels(`pmt.pid=${live.pid}`)).map((c) => c.State), { timeout: 30_000 }).toEqual(['running']);
    const liveDir = (await runDirs()).find((n) => n !== killedDir);
    expect(liveDir).toBeDefined();
    // Not pmt's own: a link and a foreign directory with pmt's name prefix but nothing of a run.
    await symlink(join(tmp, liveDir!), join(tmp, 'pmt-run-link'));
    await mkdir(join(tmp, 'pmt-run-just-made'));

    // The sweeping run is in a PID namespace of its own: neither run's pid means anything there.
    const run = await runPmtInOtherPidNamespace(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'quick', '--no-cache'], { cwd: dir.path, env: { TMPDIR: tmp } });
    expect(run.code, run.stderr).toBe(0);
    expect(await runDirs()).toEqual([liveDir!, 'pmt-run-just-made', 'pmt-run-link'].sort());

    live.kill('SIGTERM');
    expect((await live.result).code).toBe(143);
    expect(await runDirs()).toEqual(['pmt-run-just-made', 'pmt-run-link']);
  });

  it('logs of a run without PathDirLogs go to $XDG_STATE_HOME/pmt/logs/<start>-<run id>, the newest 50 runs kept, nothing in temp', async () => {
    const state = join(dir.path, 'state');
    const root = join(state, 'pmt', 'logs');
    await mkdir(root, { recursive: true });
    const old = Array.from({ length: 50 }, (_, i) => `2020-01-01_00-00-${String(i).padStart(2, '0')}-${'a'.repeat(12)}`);
    for (const name of old) await mkdir(join(root, name));
    await mkdir(join(root, 'notes'));
    await symlink(join(root, 'notes'), join(root, `2019-01-01_00-00-00-${'b'.repeat(12)}`));
    const noLogsDir = await writeConfig(dir.path, { RestApi: true, PathDirResults: 'results' });

    const child = spawnPmt(['scan', '-i', repo, '-r', registry, '-c', noLogsDir, '-p', 'quick', '--no-cache', '--json'], { cwd: dir.path, env: { TMPDIR: tmp, XDG_STATE_HOME: state } });
    const run = await child.result;
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { runId: string; logsDir: string; plugins: { logPath: string }[] };
    expect(report.logsDir).toMatch(new RegExp(`^${root}/\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}-${report.runId}$`));
    expect(report.plugins[0]!.logPath.startsWith(`${report.logsDir}/`)).toBe(true);
    const kept = (await readdir(root)).sort();
    expect(kept).toEqual([`2019-01-01_00-00-00-${'b'.repeat(12)}`, ...old.slice(1), report.logsDir.slice(root.length + 1), 'notes'].sort());
    expect((await readdir(tmp)).filter((n) => n.startsWith('pmt-logs-'))).toEqual([]);
  });
});
