import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_LABEL } from '../../support/test-images.js';
import { buildUniqueImage, EMPTY_LAB, pushLabImage, swarmLab, waitForLabEmpty, type PushedLabImage, type SwarmLab } from '../../support/swarm-lab.js';

/** Proves the swarm lab itself (scripts/setup-swarm-lab.sh), with the Engine API only, before pmt uses it. */
describe('the two-node swarm lab', () => {
  let lab: SwarmLab;
  let local: { image: string; remove: () => Promise<void> };
  let pushed: PushedLabImage;

  beforeAll(async () => {
    lab = await swarmLab();
    // An image no node has yet, so each node must pull it from the registry with the login.
    local = await buildUniqueImage();
    pushed = await pushLabImage(local.image);
  });
  afterAll(async () => {
    await pushed?.remove();
    await local?.remove();
  });

  it('has a manager and a worker, both Ready, told apart by host name and label', async () => {
    const nodes = await lab.manager.docker.listNodes();
    const summary = nodes
      .map((n) => ({ id: n.ID, state: n.Status?.State, role: n.Spec?.Role, host: n.Description?.Hostname, lab: n.Spec?.Labels?.['pmt.lab.node'] }))
      .sort((a, b) => String(a.lab).localeCompare(String(b.lab)));
    expect(summary).toEqual([
      { id: lab.manager.id, state: 'ready', role: 'manager', host: 'pmtlab-n1', lab: 'n1' },
      { id: lab.worker.id, state: 'ready', role: 'worker', host: 'pmtlab-n2', lab: 'n2' },
    ]);
    const info = await lab.worker.docker.info();
    expect(info.Swarm).toMatchObject({ LocalNodeState: 'active', NodeAddr: lab.worker.addr, ControlAvailable: false });
  });

  // A `replicated` service whose tasks are not restarted, not a `replicated-job`: Docker 20.10 keeps
  // a removed job's tasks and their containers (and volumes) on the nodes for good (moby/moby#42789,
  // #44312; fixed in Moby 24), which no API of the manager can remove. The CLI's
  // `--mode replicated-job` (the benchmark's baseline) therefore needs cleaning up node by node.
  it('runs a host-network service with one task on each node, pulled from the registry with the login, and leaves nothing', async () => {
    const runId = `lab-${randomBytes(4).toString('hex')}`;
    const labels = { 'pmt.run': runId, [TEST_LABEL]: 'swarm-lab' };
    const script = 'echo "node=$(cat /proc/sys/kernel/hostname) addr=$(hostname -I 2>/dev/null || true)"; curl -V | head -n 1; setpriv --version; tar --version | head -n 1; test -f /pmt-nonce';
    const service = await lab.manager.docker.createService(lab.auth, {
      Name: `pmt-${runId}`,
      Labels: labels,
      Mode: { Replicated: { Replicas: 2 } },
      TaskTemplate: {
        ContainerSpec: { Image: pushed.pinned, Command: ['sh', '-c', script], Labels: labels },
        RestartPolicy: { Condition: 'none' },
        Placement: { MaxReplicas: 1 },
        Networks: [{ Target: 'host' }],
      },
    });
    try {
      const tasks = await tasksWhenDone(lab.manager.docker, service.id, 2, 90_000);
      expect(tasks.map((t) => ({ node: t.NodeID, state: t.Status?.State, exit: t.Status?.ContainerStatus?.ExitCode, err: t.Status?.Err })).sort(byNode)).toEqual(
        [lab.manager, lab.worker].map((n) => ({ node: n.id, state: 'complete', exit: 0, err: undefined })).sort(byNode),
      );
      // The manager returns both tasks' output; each ran in its own node's network and UTS namespace.
      const logs = (await service.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      const text = logs.toString('latin1');
      expect([...text.matchAll(/node=(pmtlab-n\d) addr=(\S+)/g)].map((m) => `${m[1]} ${m[2]}`).sort()).toEqual([
        `pmtlab-n1 ${lab.manager.addr}`,
        `pmtlab-n2 ${lab.worker.addr}`,
      ]);
      expect(text).toMatch(/curl \d/);
      expect(text).toMatch(/setpriv from util-linux/);
      expect(text).toMatch(/tar \(GNU tar\)/);
      // Both nodes fetched the manifest themselves, and the registry accepted their login for it
      // ("authorized request" is logged only after the htpasswd check passed; without it: 401).
      const manifest = `/v2/${pushed.ref.slice(pushed.ref.indexOf('/') + 1, pushed.ref.lastIndexOf(':'))}/manifests/${pushed.digest}`;
      const pulls = (await readFile(lab.state.registry.pullLog, 'utf8'))
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, string>)
        .filter((e) => e.msg === 'authorized request' && e['http.request.uri'] === manifest);
      expect(new Set(pulls.map((e) => e['http.request.remoteaddr']?.split(':')[0]))).toEqual(new Set([lab.manager.addr, lab.worker.addr]));
    } finally {
      await service.remove();
    }
    expect(await waitForLabEmpty(runId)).toEqual(EMPTY_LAB);
  });

  it('refuses a node the image without the login: the registry, not the node, decides', async () => {
    const runId = `lab-${randomBytes(4).toString('hex')}`;
    const labels = { 'pmt.run': runId, [TEST_LABEL]: 'swarm-lab' };
    const other = await buildUniqueImage();
    const secret = await pushLabImage(other.image).finally(() => other.remove());
    try {
      // No X-Registry-Auth header at all (dockerode sends none when `auth` is undefined).
      const service = await lab.manager.docker.createService(undefined as unknown as Dockerode.AuthConfig, {
        Name: `pmt-${runId}`,
        Labels: labels,
        Mode: { Replicated: { Replicas: 2 } },
        TaskTemplate: {
          ContainerSpec: { Image: secret.pinned, Command: ['true'], Labels: labels },
          RestartPolicy: { Condition: 'none' },
          Placement: { MaxReplicas: 1 },
          Networks: [{ Target: 'host' }],
        },
      });
      try {
        const tasks = await tasksWhenDone(lab.manager.docker, service.id, 2, 90_000);
        expect(tasks.map((t) => ({ node: t.NodeID, state: t.Status?.State, err: t.Status?.Err })).sort(byNode)).toEqual(
          [lab.manager, lab.worker].map((n) => ({ node: n.id, state: 'rejected', err: `No such image: ${secret.pinned}` })).sort(byNode),
        );
        // Each node asked the registry for the manifest and was refused for want of a login.
        const manifest = `/v2/${secret.pinned.slice(secret.pinned.indexOf('/') + 1).replace('@', '/manifests/')}`;
        for (const node of lab.nodes) {
          const failures = (await readFile(node.dockerdLog, 'utf8')).split('\n').filter((line) => line.includes('pulling image failed') && line.includes(manifest));
          expect(failures.join('\n'), node.name).toContain('no basic auth credentials');
        }
      } finally {
        await service.remove();
      }
      expect(await waitForLabEmpty(runId)).toEqual(EMPTY_LAB);
    } finally {
      await secret.remove();
    }
  });
});

const byNode = (a: { node?: string }, b: { node?: string }): number => String(a.node).localeCompare(String(b.node));

/** The part of a task that the test reads (dockerode's type has no Status). */
interface SwarmTask {
  NodeID?: string;
  Status?: { State?: string; Err?: string; ContainerStatus?: { ExitCode?: number } };
}

const TERMINAL = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

/** The service's tasks once `count` of them are in a terminal state (bounded by `timeoutMs`). */
async function tasksWhenDone(docker: Dockerode, serviceId: string, count: number, timeoutMs: number): Promise<SwarmTask[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = (await docker.listTasks({ filters: JSON.stringify({ service: [serviceId] }) })) as SwarmTask[];
    const done = tasks.filter((t) => TERMINAL.has(t.Status?.State ?? ''));
    if (done.length >= count) return done;
    if (Date.now() > deadline) throw new Error(`the job's tasks did not finish within ${timeoutMs} ms: ${JSON.stringify(tasks.map((t) => t.Status))}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
