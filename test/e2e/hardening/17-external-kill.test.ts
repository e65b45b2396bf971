import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import { runPmt } from '../../support/run-pmt.js';
import type { ScanReportJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

/** What an operator or a cleanup job may do to a plugin's container while pmt runs it. */
const FROM_OUTSIDE = {
  'docker kill': (id: string) => docker.getContainer(id).kill(),
  'docker stop': (id: string) => docker.getContainer(id).stop({ t: 1 }),
  'docker rm -f': (id: string) => docker.getContainer(id).remove({ force: true, v: true }),
} as const;

const EXPECTED: Record<keyof typeof FROM_OUTSIDE, RegExp> = {
  'docker kill': /^the plugin's container was killed from outside pmt \(SIGKILL: `docker kill`/,
  'docker stop': /^the plugin's container was stopped from outside pmt \(SIGTERM: `docker stop`/,
  'docker rm -f': /^the plugin's container was removed from outside pmt \(`docker rm -f`/,
};

describe('issue 10 item 17: a container killed, stopped or removed from outside is reported as such', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  let config: string;
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [{ name: 'victim', image: TestImages.shell, cmd: 'echo scanning; sleep 300' }]);
  });
  afterEach(async () => {
    await dir.remove();
  });

  it.each(Object.keys(FROM_OUTSIDE) as (keyof typeof FROM_OUTSIDE)[])('%s while the command runs', async (action) => {
    const scan = runPmt(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'victim', '--no-cache', '--json'], { cwd: dir.path });
    let victim: string | undefined;
    await expect
      .poll(
        async () => {
          const running = (await containersWithLabels('pmt.plugin=victim')).filter((c) => c.State === 'running' && c.Mounts.some((m) => m.Source.startsWith(repo)));
          victim = running[0]?.Id;
          return victim;
        },
        { timeout: 30_000 },
      )
      .toBeDefined();
    // Once the plugin's command runs (a kill during pmt's own check is reported alike).
    await expect.poll(async () => JSON.stringify((await docker.getContainer(victim!).top()).Processes), { timeout: 10_000 }).toContain('sleep 300');
    await FROM_OUTSIDE[action](victim!);

    const run = await scan;
    const report = JSON.parse(run.stdout) as ScanReportJson;
    expect(run.code).toBe(1);
    const [plugin] = report.plugins;
    expect(plugin!.status).toBe('failed');
    expect(plugin!.error!.origin).toBe('docker');
    expect(plugin!.error!.message).toMatch(EXPECTED[action]);
    expect(JSON.stringify(report)).not.toMatch(/bug in pmt|pmt-end-/);
    expect(plugin!.error!.hint).toMatch(/outside pmt/);
    expect(await containersWithLabels(`pmt.run=${report.runId}`)).toEqual([]);
    const volumes = (await docker.listVolumes({ filters: { label: [`pmt.run=${report.runId}`] } })).Volumes ?? [];
    expect(volumes).toEqual([]);
  });
});
