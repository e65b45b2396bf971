import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels, startLabelledContainer } from '../support/engine-state.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { spawnPmt } from '../support/run-pmt.js';
import { TestImages } from '../support/test-images.js';

/** Resolves once `predicate` holds, polling the engine; fails after `ms`. */
async function eventually(predicate: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('signals and leaked containers', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [
      { name: 'slow-a', image: TestImages.shell, cmd: 'sleep 300' },
      { name: 'slow-b', image: TestImages.shell, cmd: 'sleep 300' },
    ]);
  });
  afterEach(async () => {
    await dir.remove();
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-scan removes every container of the run and exits %i', async (signal, expected) => {
    const child = spawnPmt(['scan', '-i', repo, '-r', registry, '-p', 'all'], { cwd: dir.path });
    const mine = `pmt.pid=${child.pid}`;
    await eventually(async () => (await containersWithLabels(mine)).length === 2, 30_000);

    const sent = Date.now();
    child.kill(signal);
    const run = await child.result;
    expect(run.code).toBe(expected);
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(await containersWithLabels(mine)).toEqual([]);
    expect(run.stdout).toContain(`Interrupted by ${signal}`);
  });

  it('a run after a pmt killed with SIGKILL removes the containers it left, and only those', async () => {
    const child = spawnPmt(['scan', '-i', repo, '-r', registry, '-p', 'all'], { cwd: dir.path });
    const leaked = `pmt.pid=${child.pid}`;
    // Both started: a container killed between its creation and its start stays 'created', which the
    // sweep leaves for a few minutes (its run may still be starting it; see run-liveness.ts).
    await eventually(async () => (await containersWithLabels(leaked)).filter((c) => c.State === 'running').length === 2, 30_000);
    child.kill('SIGKILL');
    await child.result;
    // Its containers end with its connection (run-liveness.ts) and stay until a sweep removes them
    // (any pmt's on this engine: another test's may be first).
    await eventually(async () => (await containersWithLabels(leaked)).every((c) => c.State !== 'running'), 10_000);

    // A running container (of a live run) must survive the sweep.
    const alive = await startLabelledContainer(TestImages.shell, {
      'pmt.run': 'live-run',
      'pmt.plugin': 'x',
      'pmt.pid': String(process.pid),
      'pmt.host': hostname(),
    });
    try {
      const quick = await writeRegistry(dir.path, [{ name: 'quick', image: TestImages.shell, cmd: 'echo ok > /result/result.txt' }]);
      const second = spawnPmt(['scan', '-i', repo, '-r', quick, '-p', 'quick'], { cwd: dir.path });
      const run = await second.result;
      expect(run.code).toBe(0);
      expect(await containersWithLabels(leaked)).toEqual([]);
      expect((await containersWithLabels('pmt.run=live-run')).map((c) => c.Id)).toEqual([alive]);
    } finally {
      const { docker } = await import('../support/engine-state.js');
      await docker.getContainer(alive).remove({ force: true });
    }
  });
});
