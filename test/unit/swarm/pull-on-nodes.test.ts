import { describe, expect, it } from 'vitest';
import type { DistributionAnswer, DistributionProbe } from '../../../src/docker/container-runtime.js';
import type { SwarmRuntime, SwarmServiceSpec, SwarmTask } from '../../../src/docker/swarm-runtime.js';
import { pullOnNodes, type NodePullRequest } from '../../../src/swarm/pull-on-nodes.js';
import { fakeSwarmNode } from '../../support/fake-swarm-node.js';

const node = fakeSwarmNode;
const task = (nodeId: string, state: string, more: Partial<SwarmTask> = {}): SwarmTask => ({
  id: `t-${nodeId}-${state}`,
  nodeId,
  state,
  desiredState: 'complete',
  message: '',
  err: '',
  exitCode: undefined,
  containerId: '',
  createdMs: 1,
  ...more,
});

/** A manager whose tasks move through the given states, one step per poll; it records what pmt did. */
function fakeManager(steps: SwarmTask[][], answer: DistributionAnswer = { available: true, digest: 'sha256:abc' }, removal?: Error) {
  const calls: string[] = [];
  const specs: SwarmServiceSpec[] = [];
  let poll = 0;
  const swarm = {
    async createService(spec: SwarmServiceSpec) {
      specs.push(spec);
      calls.push('create');
      return 'svc1';
    },
    async serviceTasks() {
      return steps[Math.min(poll++, steps.length - 1)]!;
    },
    async removeService(id: string) {
      calls.push(`remove ${id}`);
      if (removal) throw removal;
    },
  } as unknown as SwarmRuntime;
  const distribution: DistributionProbe = { inspectDistribution: async () => answer };
  return { engine: { swarm, distribution }, calls, specs };
}

const request = (more: Partial<NodePullRequest> = {}): NodePullRequest => ({
  image: 'reg:5000/pmt/x:1',
  shell: '/bin/sh',
  auth: { username: 'u', password: 'p', serveraddress: 'reg:5000' },
  labels: { 'pmt.run': 'r1', 'pmt.pull': '1' },
  serviceName: 'pmt-r1-pull-0',
  timeoutMs: 10_000,
  pollMs: 1,
  ...more,
});

describe('pullOnNodes', () => {
  it('runs one pinned global service of `shell -c true`, reports each node, skips nodes that take no tasks, and removes the service', async () => {
    const { engine, calls, specs } = fakeManager([
      [task('a', 'preparing'), task('b', 'pending')],
      [task('a', 'complete'), task('b', 'rejected', { err: 'No such image: reg:5000/pmt/x@sha256:abc' })],
    ]);
    const states: string[] = [];
    const result = await pullOnNodes(engine, [node('a'), node('b'), node('c', 'down'), node('d', 'ready', 'drain')], request({ onState: (n, s) => states.push(`${n.id}:${s}`) }));
    expect(result.pinned).toBe('reg:5000/pmt/x@sha256:abc');
    expect(result.nodes.map((n) => [n.node.id, n.outcome, 'reason' in n ? n.reason : ''])).toEqual([
      ['a', 'pulled', ''],
      ['b', 'failed', 'No such image: reg:5000/pmt/x@sha256:abc'],
      ['c', 'skipped', 'it takes no tasks (down, active)'],
      ['d', 'skipped', 'it takes no tasks (ready, drain)'],
    ]);
    expect(states).toEqual(['a:preparing', 'b:pending', 'a:complete', 'b:rejected']);
    expect(calls).toEqual(['create', 'remove svc1']);
    expect(specs[0]).toMatchObject({
      Name: 'pmt-r1-pull-0',
      Labels: { 'pmt.run': 'r1', 'pmt.pull': '1' },
      Mode: { Global: {} },
      TaskTemplate: { ContainerSpec: { Image: 'reg:5000/pmt/x@sha256:abc', Command: ['/bin/sh', '-c', 'true'], Labels: { 'pmt.run': 'r1' }, CapabilityDrop: ['ALL'] }, RestartPolicy: { Condition: 'none' } },
    });
  });

  it('counts a task whose container was created as pulled, whatever the command did', async () => {
    const { engine } = fakeManager([[task('a', 'failed', { containerId: 'c1', exitCode: 127, err: 'task: non-zero exit (127)' })]]);
    expect((await pullOnNodes(engine, [node('a')], request())).nodes[0]).toMatchObject({ outcome: 'pulled' });
  });

  it('stops waiting at the deadline, naming what each node was doing, and still removes the service', async () => {
    const { engine, calls } = fakeManager([[task('a', 'preparing')]]);
    const result = await pullOnNodes(engine, [node('a'), node('b')], request({ timeoutMs: 2000, pollMs: 20 }));
    expect(result.nodes.map((n) => ('reason' in n ? n.reason : n.outcome))).toEqual([
      'not done within 2s (its task is preparing, still pulling)',
      'the swarm gave it no task (does the image have a variant for its platform?)',
    ]);
    expect(calls).toEqual(['create', 'remove svc1']);
  });

  it('does not wait for a node the swarm gives no task once the others are done and placement had its time', async () => {
    const { engine, calls } = fakeManager([[task('a', 'complete')]]);
    const started = Date.now();
    const result = await pullOnNodes(engine, [node('a'), node('b')], request({ timeoutMs: 60_000, placementGraceMs: 100, pollMs: 10 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.nodes.map((n) => n.outcome)).toEqual(['pulled', 'failed']);
    expect(calls).toEqual(['create', 'remove svc1']);
  });

  it('creates nothing when the registry does not serve the image, and fails every node with its answer', async () => {
    const { engine, calls } = fakeManager([[]], { available: false, reason: 'manifest unknown' });
    const result = await pullOnNodes(engine, [node('a'), node('b')], request());
    expect(result.pinned).toBeUndefined();
    expect(result.refused).toBe('its registry does not serve it (asked through the manager): manifest unknown');
    expect(result.nodes.map((n) => ('reason' in n ? n.reason : ''))).toEqual(Array(2).fill('its registry does not serve it (asked through the manager): manifest unknown'));
    expect(calls).toEqual([]);
  });

  it('removes the service when aborted (Ctrl-C) and rejects with the signal', async () => {
    const controller = new AbortController();
    const { engine, calls } = fakeManager([[task('a', 'preparing')]]);
    const pulling = pullOnNodes(engine, [node('a')], request({ signal: controller.signal, pollMs: 5, onState: () => controller.abort('SIGINT') }));
    await expect(pulling).rejects.toBe('SIGINT');
    expect(calls).toEqual(['create', 'remove svc1']);
  });

  it('rejects with the signal, not with the removal\'s failure, when both happen (Ctrl-C stays Ctrl-C)', async () => {
    const controller = new AbortController();
    const { engine, calls } = fakeManager([[task('a', 'preparing')]], undefined, new Error('the manager is busy'));
    const pulling = pullOnNodes(engine, [node('a')], request({ signal: controller.signal, pollMs: 5, onState: () => controller.abort('SIGINT') }));
    await expect(pulling).rejects.toBe('SIGINT');
    expect(calls).toEqual(['create', 'remove svc1']);
  });

  it('says when the service could not be removed after the nodes were done', async () => {
    const { engine } = fakeManager([[task('a', 'complete')]], undefined, new Error('the manager is busy'));
    await expect(pullOnNodes(engine, [node('a')], request())).rejects.toThrow('the manager is busy');
  });
});
