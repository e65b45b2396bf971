import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockerSwarm } from '../../../src/docker/docker-swarm.js';
import type { SwarmLogChunk } from '../../../src/docker/swarm-runtime.js';
import { TEST_LABEL, TestImages } from '../../support/test-images.js';
import { EMPTY_LAB, swarmLab, waitForLabEmpty, type SwarmLab } from '../../support/swarm-lab.js';

/** The dockerode adapter against the lab's real manager (and, for its refusal, its worker). */
describe('DockerSwarm', () => {
  let lab: SwarmLab;
  let swarm: DockerSwarm;
  beforeAll(async () => {
    lab = await swarmLab();
    swarm = new DockerSwarm(new Dockerode({ socketPath: lab.manager.dockerHost.replace('unix://', '') }), lab.manager.dockerHost);
  });

  it('tells a manager from a worker, and lists the nodes with their host names', async () => {
    const state = await swarm.swarmState();
    expect(state).toMatchObject({ manager: true, localState: 'active', nodeAddr: lab.manager.addr, nodeId: lab.manager.id });
    // Its clock is the engine's: the same as `GET /info`'s SystemTime read now.
    const { SystemTime } = (await new Dockerode({ socketPath: lab.manager.dockerHost.replace('unix://', '') }).info()) as { SystemTime: string };
    expect(Math.abs(state.engineNowMs!() - Date.parse(SystemTime))).toBeLessThan(1000);
    const worker = new DockerSwarm(new Dockerode({ socketPath: lab.worker.dockerHost.replace('unix://', '') }), lab.worker.dockerHost);
    expect(await worker.swarmState()).toMatchObject({ manager: false, localState: 'active', nodeAddr: lab.worker.addr });
    const nodes = await swarm.listNodes();
    expect(nodes.map((n) => [n.id, n.hostname, n.role, n.state]).sort()).toEqual(
      [
        [lab.manager.id, lab.manager.hostname, 'manager', 'ready'],
        [lab.worker.id, lab.worker.hostname, 'worker', 'ready'],
      ].sort(),
    );
  });

  it('runs a service, follows its demultiplexed logs as they come, and removes service and secret idempotently', async () => {
    const runId = `dockerswarm-${randomBytes(4).toString('hex')}`;
    const labels = { 'pmt.run': runId, [TEST_LABEL]: 'docker-swarm' };
    const secret = await swarm.createSecret(`pmt-${runId}-token`, Buffer.from('s3cret'), labels);
    expect((await swarm.listSecrets({ 'pmt.run': runId })).map((s) => s.id)).toEqual([secret]);
    const script = 'cat /run/secrets/tok; echo; echo to-stderr >&2; head -c 70000 /dev/zero | tr "\\0" x; echo';
    const id = await swarm.createService(
      {
        Name: `pmt-${runId}`,
        Labels: labels,
        TaskTemplate: {
          ContainerSpec: {
            Image: lab.image(TestImages.curl).pinned,
            Command: ['sh', '-c', script],
            Env: [],
            User: '0',
            Labels: labels,
            Mounts: [],
            ReadOnly: false,
            Secrets: [{ SecretID: secret, SecretName: `pmt-${runId}-token`, File: { Name: 'tok', UID: '0', GID: '0', Mode: 0o400 } }],
            StopGracePeriod: 1e9,
          },
          Resources: { Limits: {}, Reservations: {} },
          RestartPolicy: { Condition: 'none' },
          Placement: { Constraints: [] },
          Networks: [{ Target: 'host' }],
        },
        Mode: { Replicated: { Replicas: 1 } },
      },
      lab.auth,
    );
    try {
      const stop = new AbortController();
      const chunks: SwarmLogChunk[] = [];
      const reading = (async () => {
        for await (const chunk of swarm.serviceLogs(id, stop.signal)) chunks.push(chunk);
      })();
      const text = (stream: string): string => chunks.filter((c) => c.stream === stream).map((c) => c.text).join('');
      const deadline = Date.now() + 60_000;
      while (!text('stdout').endsWith(`${'x'.repeat(70000)}\n`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      stop.abort();
      await reading; // ends without an error when aborted
      expect(text('stdout')).toBe(`s3cret\n${'x'.repeat(70000)}\n`);
      expect(text('stderr')).toBe('to-stderr\n');
      const [task] = await swarm.serviceTasks(id);
      // The manager's record lags behind the node: the task may still say `starting`.
      expect([lab.manager.id, lab.worker.id]).toContain(task!.nodeId);
    } finally {
      await swarm.removeService(id);
      await swarm.removeService(id);
      await swarm.removeSecret(secret);
      await swarm.removeSecret(secret);
    }
    expect(await swarm.listServices({ 'pmt.run': runId })).toEqual([]);
    expect(await waitForLabEmpty(runId)).toEqual(EMPTY_LAB);
  });
});
