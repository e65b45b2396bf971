import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectDocker } from '../../../src/docker/connect-docker.js';
import { findDeadRunObjects, reapDeadRuns } from '../../../src/engine/reap-dead-runs.js';
import { silentLogger } from '../../../src/log/logger.js';
import { containersWithLabels, docker } from '../../support/engine-state.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../../support/fixtures.js';
import { runPmtInOtherPidNamespace, spawnPmt } from '../../support/run-pmt.js';
import { TEST_LABEL, TestImages } from '../../support/test-images.js';

const stateOf = async (id: string): Promise<string | undefined> => (await docker.listContainers({ all: true, filters: { id: [id] } }))[0]?.State;

describe('issue 10 item 1: a run is alive while it holds its connection to its containers; the reaper takes only what no live run holds', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  let config: string;
  beforeEach(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
    config = await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
    registry = await writeRegistry(dir.path, [
      { name: 'slow', image: TestImages.shell, cmd: 'sleep 300' },
      { name: 'quick', image: TestImages.shell, cmd: 'echo ok > /result/result.txt', results: ['result.txt'] },
    ]);
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('a live run survives a pmt in another PID namespace (same host name) that removes leftovers', async () => {
    const victim = spawnPmt(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'slow'], { cwd: dir.path });
    const mine = `pmt.pid=${victim.pid}`;
    await expect.poll(async () => (await containersWithLabels(mine)).map((c) => c.State), { timeout: 30_000 }).toEqual(['running']);
    const [container] = await containersWithLabels(mine);

    // Both a scan's background sweep and doctor --fix run the reaper there.
    const scan = await runPmtInOtherPidNamespace(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'quick', '--no-cache'], { cwd: dir.path });
    expect(scan.code, scan.stderr).toBe(0);
    const fix = await runPmtInOtherPidNamespace(['doctor', '--fix', '-r', registry, '-c', config], { cwd: dir.path });
    expect(`${fix.stdout}${fix.stderr}`).not.toContain(container!.Id.slice(0, 12));

    expect(await stateOf(container!.Id)).toBe('running');
    expect(victim.exitCode).toBeNull();
    victim.kill('SIGTERM');
    const run = await victim.result;
    expect(run.code, run.stderr).toBe(143);
    expect(await containersWithLabels(mine)).toEqual([]);
  });

  it('the containers of a SIGKILLed run stop by themselves, and the next run removes them with their volumes', async () => {
    const killed = spawnPmt(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'slow'], { cwd: dir.path });
    const leaked = `pmt.pid=${killed.pid}`;
    await expect.poll(async () => (await containersWithLabels(leaked)).map((c) => c.State), { timeout: 30_000 }).toEqual(['running']);
    const [container] = await containersWithLabels(leaked);
    const volumes = (await docker.getContainer(container!.Id).inspect()).Mounts.filter((m) => m.Type === 'volume').map((m) => m.Name!);
    expect(volumes).toHaveLength(1);
    killed.kill('SIGKILL');
    await killed.result;

    // Its command (sleep 300) does not keep it running: the connection was its lease. (Another
    // pmt on this engine may already have removed it: then it is gone.)
    await expect.poll(() => stateOf(container!.Id), { timeout: 10_000 }).not.toBe('running');
    const next = spawnPmt(['scan', '-i', repo, '-r', registry, '-c', config, '-p', 'quick', '--no-cache'], { cwd: dir.path });
    expect((await next.result).code).toBe(0);
    expect(await containersWithLabels(leaked)).toEqual([]);
    const left = (await docker.listVolumes()).Volumes.filter((v) => volumes.includes(v.Name));
    expect(left).toEqual([]);
  });

  describe('objects without a process (real engine, reaper called directly)', () => {
    const runtime = connectDocker({ env: process.env });
    const made: { containers: string[]; volumes: string[] } = { containers: [], volumes: [] };
    afterEach(async () => {
      await Promise.all(made.containers.splice(0).map((id) => docker.getContainer(id).remove({ force: true }).catch(() => undefined)));
      await Promise.all(made.volumes.splice(0).map((name) => docker.getVolume(name).remove().catch(() => undefined)));
    });

    /** Labels as pmt writes them; pmt.pid names a live process (this one): a recycled pid proves nothing. */
    const session = randomBytes(4).toString('hex');
    const labelsOf = (run: string): Record<string, string> => ({
      [TEST_LABEL]: session,
      'pmt.run': run,
      'pmt.plugin': 'p',
      'pmt.pid': String(process.pid),
      'pmt.host': hostname(),
    });
    async function container(run: string, state: 'created' | 'exited' | 'running'): Promise<string> {
      const created = await docker.createContainer({
        Image: TestImages.shell,
        Cmd: state === 'running' ? ['/bin/sh'] : ['true'],
        OpenStdin: state === 'running',
        Labels: labelsOf(run),
        HostConfig: { NetworkMode: 'none' },
      });
      made.containers.push(created.id);
      if (state !== 'created') await created.start();
      if (state === 'exited') await created.wait();
      return created.id;
    }
    async function volume(run: string): Promise<string> {
      const created = (await docker.createVolume({ Labels: labelsOf(run) } as never)) as unknown as { name: string };
      made.volumes.push(created.name);
      return created.name;
    }
    const exists = async (id: string): Promise<boolean> => (await docker.listContainers({ all: true, filters: { id: [id] } })).length > 0;
    const volumeExists = async (name: string): Promise<boolean> => (await docker.listVolumes()).Volumes.some((v) => v.Name === name);

    it('removes created and exited containers and volumes of runs with no running container, whatever their pmt.pid says', async () => {
      const dead = `dead-${randomBytes(4).toString('hex')}`;
      const live = `live-${randomBytes(4).toString('hex')}`;
      const deadCreated = await container(dead, 'created');
      const deadExited = await container(dead, 'exited');
      const deadVolume = await volume(dead);
      const liveRunning = await container(live, 'running');
      const liveExited = await container(live, 'exited');
      const liveCreated = await container(live, 'created');
      const liveVolume = await volume(live);

      // Counts are not checked: any pmt on this engine (other tests' runs) may take dead objects first.
      await reapDeadRuns(runtime, runtime, silentLogger(), { graceMs: 0, only: { [TEST_LABEL]: session } });
      expect(await exists(deadCreated)).toBe(false);
      expect(await exists(deadExited)).toBe(false);
      expect(await volumeExists(deadVolume)).toBe(false);
      for (const id of [liveRunning, liveExited, liveCreated]) expect(await exists(id)).toBe(true);
      expect(await volumeExists(liveVolume)).toBe(true);
    });

    it('keeps a just-created container and volume of a run that has not started a container yet', async () => {
      const starting = `starting-${randomBytes(4).toString('hex')}`;
      const created = await container(starting, 'created');
      const vol = await volume(starting);
      await reapDeadRuns(runtime, runtime, silentLogger(), { only: { [TEST_LABEL]: session } });
      expect(await exists(created)).toBe(true);
      expect(await volumeExists(vol)).toBe(true);
    });

    it('leaves the sweeping run\'s own objects alone, even with no grace, and reads no engine clock for them', async () => {
      const own = `own-${randomBytes(4).toString('hex')}`;
      const created = await container(own, 'created');
      const vol = await volume(own);
      const clock = vi.spyOn(runtime, 'engineNow');
      try {
        // A scan sweeps while its own containers are being created and started (none runs yet).
        const dead = await findDeadRunObjects(runtime, runtime, { graceMs: 0, only: { [TEST_LABEL]: session, 'pmt.run': own }, ownRun: own });
        expect(dead).toEqual({ containers: [], volumes: [] });
        expect(clock).not.toHaveBeenCalled();
        // Any other run would take them.
        const other = await findDeadRunObjects(runtime, runtime, { graceMs: 0, only: { [TEST_LABEL]: session, 'pmt.run': own } });
        expect(other.containers.map((c) => c.id)).toEqual([created]);
        expect(other.volumes.map((v) => v.name)).toEqual([vol]);
        expect(clock).toHaveBeenCalledOnce();
      } finally {
        clock.mockRestore();
      }
    });
  });
});
