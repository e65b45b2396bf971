import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo, tempDir, writeConfig } from '../../support/fixtures.js';
import { spawnPmt } from '../../support/run-pmt.js';
import { scanJson } from '../../support/scan-json.js';
import { buildUniqueImage, EMPTY_LAB, labState, missingLabImage, pushLabImage, swarmLab, waitForLabEmpty, type SwarmLab } from '../../support/swarm-lab.js';
import { labPlugin, swarmEnv, writeSwarmRegistry } from '../../support/swarm-registry.js';
import { until } from '../../support/until.js';

/** How swarm runs fail: clearly, in bounded time, and without leaving anything on any node. */
describe('pmt scan --swarm: failures, timeouts and signals', () => {
  let lab: SwarmLab;
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;

  beforeAll(async () => {
    lab = await swarmLab();
    dir = await tempDir('pmt-swarm-fail-');
    repo = await copySampleRepo(dir.path);
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('a plugin whose image is missing from the registry fails with the registry\'s answer; the others run', async () => {
    const missing = missingLabImage(lab);
    const registry = await writeSwarmRegistry(dir.path, 'missing.yaml', [
      labPlugin(lab, { name: 'ghost', docker_image: missing.ref, cmd: 'true' }),
      labPlugin(lab, { name: 'fine', cmd: 'echo ok > /result/result.txt' }),
    ]);
    const { code, report } = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'all', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(1);
    expect(report.plugins.map((p) => p.status)).toEqual(['failed', 'succeeded']);
    expect(report.plugins[0]?.error?.message).toMatch(new RegExp(`^image ${missing.ref} is not on the Docker engine and pulling it failed \\(credentials: .*\\): .*not found`));
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it('a node that cannot pull the pinned image fails the plugin with the node named', async () => {
    // The manager has the image (and its digest); the registry no longer does, so the worker cannot pull it.
    const local = await buildUniqueImage();
    const pushed = await pushLabImage(local.image);
    try {
      const stream = await lab.manager.docker.pull(pushed.ref, { authconfig: lab.auth });
      await new Promise((resolve, reject) => lab.manager.docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve(undefined))));
      const repository = pushed.ref.slice(pushed.ref.indexOf('/') + 1, pushed.ref.lastIndexOf(':'));
      const login = Buffer.from(`${lab.auth.username}:${lab.auth.password}`).toString('base64');
      const deleted = await fetch(`http://${lab.state.registry.push}/v2/${repository}/manifests/${pushed.digest}`, { method: 'DELETE', headers: { authorization: `Basic ${login}` } });
      expect(deleted.status).toBe(202);
      const registry = await writeSwarmRegistry(dir.path, 'unpullable.yaml', [
        labPlugin(lab, { name: 'unpullable', docker_image: pushed.ref, cmd: 'true', constraints: [`node.id==${lab.worker.id}`] }),
      ]);
      const { code, report } = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'unpullable', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

      expect(code).toBe(1);
      expect(report.plugins[0]?.error?.message).toMatch(new RegExp(`^image pull failed on node ${lab.worker.hostname}: .*${pushed.digest.slice('sha256:'.length, 20)}`));
      expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
    } finally {
      await pushed.remove();
      await local.remove();
    }
  });

  it('a task no node can place fails within SwarmPlacementTimeout, with the scheduler\'s reason and what was asked', async () => {
    const config = await writeConfig(dir.path, { SwarmPlacementTimeout: '3s' });
    const registry = await writeSwarmRegistry(dir.path, 'huge.yaml', [labPlugin(lab, { name: 'huge', cmd: 'true', resources: { memory: '1000GiB' } })]);
    const started = Date.now();
    const { code, report } = await scanJson(['--swarm', '-c', config, '-i', repo, '-r', registry, '-p', 'huge', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(1);
    expect(report.plugins[0]?.error?.message).toBe(
      'no swarm node accepted the task within 3s: no suitable node (insufficient resources on 2 nodes) (asked for a reservation of 1000 GiB memory, a memory limit of 1000 GiB)',
    );
    // Bounded: the 3 s of waiting plus the run around it, not forever.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it('a plugin that runs out of time is stopped and its service, task container, volumes and secret go', async () => {
    const registry = await writeSwarmRegistry(dir.path, 'slow.yaml', [labPlugin(lab, { name: 'slow', cmd: 'echo started; sleep 300', timeout: '2s' })]);
    const { code, report } = await scanJson(['--swarm', '-i', repo, '-r', registry, '-p', 'slow', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });

    expect(code).toBe(1);
    expect(report.plugins[0]).toMatchObject({ status: 'timed out' });
    expect(report.plugins[0]?.error?.message).toBe('timed out after 2s; the service was removed');
    expect(await waitForLabEmpty(report.runId)).toEqual(EMPTY_LAB);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-run removes the services on both nodes and exits %i', async (signal, expected) => {
    const registry = await writeSwarmRegistry(dir.path, 'sleepers.yaml', [
      labPlugin(lab, { name: 'sleep-n1', cmd: 'sleep 300', constraints: ['node.labels.pmt.lab.node==n1'] }),
      labPlugin(lab, { name: 'sleep-n2', cmd: 'sleep 300', constraints: ['node.labels.pmt.lab.node==n2'] }),
    ]);
    const child = spawnPmt(['scan', '--swarm', '-i', repo, '-r', registry, '-p', 'all', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });
    const mine = `pmt.pid=${child.pid}`;
    await until(async () => (await labState(mine)).containers.filter((c) => c.state === 'running').length === 2, { timeoutMs: 60_000 });
    const services = await lab.manager.docker.listServices({ filters: JSON.stringify({ label: [mine] }) });
    const runId = services[0]?.Spec?.Labels?.['pmt.run'] ?? '';
    expect(runId).not.toBe('');

    child.kill(signal);
    const run = await child.result;
    expect(run.code).toBe(expected);
    expect(run.stdout).toContain(`Interrupted by ${signal}; every service of run ${runId} was removed.`);
    expect(await waitForLabEmpty(runId)).toEqual(EMPTY_LAB);
  });

  it('a task stops by itself when its pmt is killed (SIGKILL): its lease on pmt ended', async () => {
    const registry = await writeSwarmRegistry(dir.path, 'orphan.yaml', [labPlugin(lab, { name: 'orphan', cmd: 'sleep 300', constraints: ['node.role==worker'] })]);
    const child = spawnPmt(['scan', '--swarm', '-i', repo, '-r', registry, '-p', 'orphan', '--no-cache'], { cwd: dir.path, env: swarmEnv(lab) });
    const mine = `pmt.pid=${child.pid}`;
    await until(async () => (await labState(mine)).containers.some((c) => c.state === 'running'), { timeoutMs: 60_000 });
    child.kill('SIGKILL');
    await child.result;
    try {
      // The watchdog's connection to pmt broke: the task ends well before its `sleep 300` would.
      await until(async () => (await labState(mine)).containers.every((c) => c.state !== 'running'), { timeoutMs: 20_000 });
    } finally {
      // What a killed pmt leaves goes with a later run's sweep once past the start-up grace; the
      // test does not wait for that and removes its own service (and the secret) by label.
      const filters = JSON.stringify({ label: [mine] });
      for (const s of await lab.manager.docker.listServices({ filters })) await lab.manager.docker.getService(s.ID).remove();
      for (const s of await lab.manager.docker.listSecrets({ filters })) await lab.manager.docker.getSecret(s.ID).remove();
    }
  });
});
