import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../../src/docker/docker-runtime.js';
import { reapDeadRuns } from '../../../src/engine/reap-dead-runs.js';
import { silentLogger } from '../../../src/log/logger.js';
import { TEST_LABEL } from '../../support/test-images.js';
import { EMPTY_LAB, labState, swarmLab, waitForLabEmpty, type SwarmLab } from '../../support/swarm-lab.js';
import { until } from '../../support/until.js';

/** The reaper on a real swarm manager: what dead runs left goes, a live run's service stays. */
describe('reapDeadRuns on the swarm lab', () => {
  const session = `reap-${randomBytes(4).toString('hex')}`;
  const dead = `dead-${randomBytes(4).toString('hex')}`;
  const live = `live-${randomBytes(4).toString('hex')}`;
  let lab: SwarmLab;
  let runtime: DockerRuntime;
  const made: { services: string[]; secrets: string[] } = { services: [], secrets: [] };

  beforeAll(async () => {
    lab = await swarmLab();
    runtime = new DockerRuntime(lab.manager.docker, { endpoint: lab.manager.dockerHost, local: false });
  });
  afterAll(async () => {
    for (const id of made.services) await lab.manager.docker.getService(id).remove().catch(() => undefined);
    for (const id of made.secrets) await lab.manager.docker.getSecret(id).remove().catch(() => undefined);
  });

  it('tells the manager from the worker by GET /swarm, which only a manager answers', async () => {
    expect(await runtime.swarm().isManager()).toBe(true);
    const worker = new DockerRuntime(lab.worker.docker, { endpoint: lab.worker.dockerHost, local: false });
    expect(await worker.swarm().isManager()).toBe(false);
  });

  it('removes the finished service and the secret of a dead run, keeps a live run\'s running service and secret, and leaves no task container', async () => {
    const deadObjects = await serviceWithSecret(lab, dead, ['true'], made);
    const liveObjects = await serviceWithSecret(lab, live, ['sleep', '300'], made);
    // The dead run's task has ended; the live one's runs (a node has it under way).
    await untilTask(lab.manager.docker, deadObjects.service, (state) => state === 'complete');
    await untilTask(lab.manager.docker, liveObjects.service, (state) => state === 'running');

    const counts = await reapDeadRuns(runtime, runtime, silentLogger(), { graceMs: 0, only: { [TEST_LABEL]: session }, swarm: runtime.swarm() });
    expect(counts).toMatchObject({ services: 1, secrets: 1 });

    expect(await waitForLabEmpty(dead)).toEqual(EMPTY_LAB);
    const kept = await labState(`pmt.run=${live}`);
    expect(kept.services.map((s) => s.id)).toEqual([liveObjects.service]);
    expect(kept.secrets.map((s) => s.id)).toEqual([liveObjects.secret]);
    expect(kept.containers.map((c) => c.state)).toEqual(['running']);

    // Within the grace, even a dead-looking run is left alone (it may be starting).
    await lab.manager.docker.getService(liveObjects.service).remove();
    // Until its task container is gone (the swarm stops it within the stop grace), a running
    // container of the run on the manager still proves the run alive.
    await untilNoContainer(live);
    const young = await serviceWithSecret(lab, dead, ['true'], made);
    await untilTask(lab.manager.docker, young.service, (state) => state === 'complete');
    // As a swarm run sweeps: with the state (manager, engine clock) its swarm check already has.
    const swarmState = await runtime.swarm().swarmState();
    expect(await reapDeadRuns(runtime, runtime, silentLogger(), { only: { [TEST_LABEL]: session }, swarm: runtime.swarm(), swarmState })).toMatchObject({ services: 0, secrets: 0 });
    // The live run's secret, its service gone, is now a dead run's leftover.
    expect(await reapDeadRuns(runtime, runtime, silentLogger(), { graceMs: 0, only: { [TEST_LABEL]: session }, swarm: runtime.swarm(), swarmState })).toMatchObject({ services: 1, secrets: 2 });
    expect(await waitForLabEmpty(dead)).toEqual(EMPTY_LAB);
    expect(await waitForLabEmpty(live)).toEqual(EMPTY_LAB);
  });

  /** A pmt-labelled replicated service of one task (never restarted) using a pmt-labelled secret. */
  async function serviceWithSecret(lab: SwarmLab, run: string, command: string[], made: { services: string[]; secrets: string[] }): Promise<{ service: string; secret: string }> {
    const labels = { 'pmt.run': run, 'pmt.plugin': 'x', 'pmt.pid': '1', 'pmt.host': 'elsewhere', [TEST_LABEL]: session };
    const name = `pmt-${run}-${randomBytes(2).toString('hex')}`;
    const secret = (await lab.manager.docker.createSecret({ Name: `${name}-token`, Labels: labels, Data: Buffer.from('t').toString('base64') })) as { id: string };
    made.secrets.push(secret.id);
    const service = await lab.manager.docker.createService(lab.auth, {
      Name: name,
      Labels: labels,
      Mode: { Replicated: { Replicas: 1 } },
      TaskTemplate: {
        ContainerSpec: {
          Image: lab.image('pmt-test/curl:1').pinned,
          Command: command,
          Labels: labels,
          Secrets: [{ SecretID: secret.id, SecretName: `${name}-token`, File: { Name: 'pmt-token', UID: '0', GID: '0', Mode: 0o400 } }],
        },
        RestartPolicy: { Condition: 'none' },
        Networks: [{ Target: 'host' }],
      },
    } as Dockerode.CreateServiceOptions);
    made.services.push(service.id);
    return { service: service.id, secret: secret.id };
  }
});

async function untilTask(docker: Dockerode, service: string, done: (state: string) => boolean): Promise<void> {
  let states: string[] = [];
  await until(
    async () => {
      states = (await docker.listTasks({ filters: { service: [service] } })).map((t) => t.Status?.State ?? '');
      return states.some(done);
    },
    { timeoutMs: 60_000, what: `service ${service}'s task state`, seen: () => states.join(', ') },
  );
}

async function untilNoContainer(run: string): Promise<void> {
  let left: string[] = [];
  await until(
    async () => {
      left = (await labState(`pmt.run=${run}`)).containers.map((c) => `${c.node}:${c.state}`);
      return left.length === 0;
    },
    { timeoutMs: 60_000, what: `no container of run ${run}`, seen: () => left.join(', ') },
  );
}
