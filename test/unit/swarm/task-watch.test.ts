import { describe, expect, it } from 'vitest';
import type { SwarmRuntime, SwarmTask } from '../../../src/docker/swarm-runtime.js';
import { taskFailure } from '../../../src/swarm/task-failure.js';
import { watchTask, type TaskWatch } from '../../../src/swarm/task-watch.js';

function task(state: string, extra: Partial<SwarmTask> = {}): SwarmTask {
  return { id: 't1', nodeId: '', state, desiredState: 'running', message: '', err: '', exitCode: undefined, containerId: '', createdMs: 1, ...extra };
}

/** A manager whose task goes through `states`, one per poll (the last one stays). */
function manager(states: SwarmTask[]): SwarmRuntime {
  let poll = 0;
  return { serviceTasks: async () => [states[Math.min(poll++, states.length - 1)]!] } as unknown as SwarmRuntime;
}

function watch(states: SwarmTask[], overrides: Partial<TaskWatch> = {}) {
  const events: string[] = [];
  let clock = 0;
  const options: TaskWatch = {
    swarm: manager(states),
    serviceId: 's1',
    nodeName: async (id) => `host-${id}`,
    placementTimeoutMs: 1_000,
    asked: 'a reservation of 1 GiB memory',
    pollMs: 1,
    signal: new AbortController().signal,
    onPhase: (phase, node) => events.push(`${phase}@${node}`),
    onStarting: () => events.push('deadline starts'),
    // Each poll is 100 ms of the placement clock.
    now: () => (clock += 100),
    ...overrides,
  };
  return { events, done: watchTask(options) };
}

describe('watchTask', () => {
  it('reports pulling, starting and running on the node, starts the deadline once, and returns the ended task', async () => {
    const placed = { nodeId: 'n2' };
    const { events, done } = watch([
      task('pending'),
      task('assigned', placed),
      task('preparing', placed),
      task('starting', placed),
      task('running', placed),
      task('running', placed),
      task('complete', { ...placed, exitCode: 0, containerId: 'c1' }),
    ]);
    const end = await done;
    expect(end).toMatchObject({ node: 'host-n2', task: { state: 'complete', exitCode: 0 } });
    expect(events).toEqual(['starting@host-n2', 'pulling@host-n2', 'deadline starts', 'starting@host-n2', 'running@host-n2']);
  });

  it('fails a task no node accepts within the placement timeout, with the scheduler\'s reason and the ask', async () => {
    const { done } = watch([task('pending', { err: 'no suitable node (insufficient resources on 2 nodes)' })]);
    await expect(done).rejects.toThrow('no swarm node accepted the task within 1s: no suitable node (insufficient resources on 2 nodes) (asked for a reservation of 1 GiB memory)');
  });

  it('does not count the node\'s pull against the placement timeout', async () => {
    const placed = { nodeId: 'n1' };
    const { done } = watch([task('pending'), ...Array.from({ length: 30 }, () => task('preparing', placed)), task('failed', { ...placed, exitCode: 3, containerId: 'c' })]);
    await expect(done).resolves.toMatchObject({ task: { state: 'failed' } });
  });

  it('stops at once when its signal aborts (a timeout or Ctrl-C), with the signal\'s reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    const { done } = watch([task('running', { nodeId: 'n1' })], { signal: controller.signal });
    await expect(done).rejects.toThrow('stop now');
  });
});

describe('taskFailure', () => {
  it('says which node could not pull the image', () => {
    const failure = taskFailure(task('rejected', { err: 'No such image: reg:5000/x@sha256:abc' }), 'pmtlab-n2');
    expect(failure.message).toBe('image pull failed on node pmtlab-n2: No such image: reg:5000/x@sha256:abc');
  });

  it('tells a task stopped from outside from one that failed before its script reported', () => {
    expect(taskFailure(task('shutdown', { err: 'removed' }), 'n1').message).toBe('the task was stopped from outside pmt on node n1 (state shutdown: removed)');
    expect(taskFailure(task('failed', { err: 'task: non-zero exit (127)', exitCode: 127 }), 'n1')).toMatchObject({
      origin: 'plugin',
      message: 'the task failed on node n1 before its script reported a step (exit code 127): task: non-zero exit (127)',
    });
  });

  it('names the step a task ended in, and does not call a completed task whose log pmt could not read failed', () => {
    const killed = task('failed', { err: 'task: non-zero exit (137)', exitCode: 137, containerId: 'c1' });
    expect(taskFailure(killed, 'n1', { step: 'cmd', afterSteps: true }).message).toBe('the task failed on node n1 during its cmd step (exit code 137): task: non-zero exit (137)');
    expect(taskFailure(killed, 'n1', { step: 'check', afterSteps: false }).message).toBe('the task failed on node n1 before its script reported a step (exit code 137): task: non-zero exit (137)');
    const unread = taskFailure(task('complete', { exitCode: 0, containerId: 'c1' }), 'n2', { step: 'check', afterSteps: false });
    expect(unread.message).toBe('the task completed on node n2, but pmt did not see its check step end in the service log');
    expect(unread.hint).toContain('logging driver');
  });
});
