import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../../src/docker/container-runtime.js';
import type { SwarmSecretSummary, SwarmTask } from '../../../src/docker/swarm-runtime.js';
import { deadRunObjects } from '../../../src/engine/run-liveness.js';
import { deadSwarmObjects, liveSwarmRuns, type ServiceWithTasks } from '../../../src/engine/swarm-liveness.js';

const NOW = 50_000_000;
const GRACE = 60_000;
const OLD = 3_600_000;
const task = (state: string): SwarmTask => ({ id: `t-${state}`, nodeId: state === 'pending' ? '' : 'n1', state, desiredState: 'complete', message: '', err: '', exitCode: undefined, containerId: '', createdMs: NOW - OLD });
const service = (name: string, run: string, states: string[], ageMs = OLD): ServiceWithTasks => ({
  service: { id: `id-${name}`, name, labels: { 'pmt.run': run }, createdMs: NOW - ageMs },
  tasks: states.map(task),
});
const secret = (name: string, run: string, ageMs = OLD): SwarmSecretSummary => ({ id: `id-${name}`, name, labels: { 'pmt.run': run }, createdMs: NOW - ageMs });
const names = (objects: readonly { name: string }[]): string[] => objects.map((o) => o.name);

describe('swarm liveness: a run is alive while a node has one of its tasks under way', () => {
  it('counts a service live while a task is assigned and not ended (pulling, starting, running)', () => {
    for (const state of ['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']) {
      expect(liveSwarmRuns([service('s', 'r', ['complete', state])], NOW, GRACE)).toEqual(new Set(['r']));
    }
  });

  it('counts a service whose tasks all ended, or wait unplaced, dead once older than the grace', () => {
    for (const states of [['complete'], ['failed', 'rejected'], ['shutdown', 'orphaned', 'remove'], [], ['pending'], ['new', 'allocated']]) {
      expect(liveSwarmRuns([service('s', 'r', states)], NOW, GRACE)).toEqual(new Set());
      expect(liveSwarmRuns([service('s', 'r', states, GRACE - 1)], NOW, GRACE)).toEqual(new Set(['r']));
    }
  });

  it('keeps an unplaced service as long as its run waits for placement (its label), never more than a day', () => {
    const waiting = (wait: string, ageMs: number): ServiceWithTasks => {
      const base = service('s', 'r', ['pending'], ageMs);
      return { ...base, service: { ...base.service, labels: { ...base.service.labels, 'pmt.placement-wait-ms': wait } } };
    };
    const tenMinutes = String(10 * 60_000);
    expect(liveSwarmRuns([waiting(tenMinutes, GRACE + 10 * 60_000 - 1)], NOW, GRACE)).toEqual(new Set(['r']));
    expect(liveSwarmRuns([waiting(tenMinutes, GRACE + 10 * 60_000)], NOW, GRACE)).toEqual(new Set());
    expect(liveSwarmRuns([waiting('1e15', 25 * 3_600_000)], NOW, GRACE)).toEqual(new Set());
    for (const bad of ['', 'soon', '-5']) expect(liveSwarmRuns([waiting(bad, GRACE)], NOW, GRACE)).toEqual(new Set());
  });

  it('removes services and secrets of dead runs only, keeping a live run\'s finished services and its secrets', () => {
    const services = [service('live-running', 'live', ['running']), service('live-done', 'live', ['complete']), service('dead-done', 'dead', ['complete']), service('dead-stuck', 'dead', ['pending'])];
    const secrets = [secret('live-token', 'live'), secret('dead-token', 'dead'), secret('young-token', 'starting', GRACE - 1), secret('orphan-token', 'orphan')];
    const alive = liveSwarmRuns(services, NOW, GRACE);
    const dead = deadSwarmObjects(services, secrets, alive, NOW, GRACE);
    expect(names(dead.services)).toEqual(['dead-done', 'dead-stuck']);
    expect(names(dead.secrets)).toEqual(['dead-token', 'orphan-token']);
  });

  it('keeps services and secrets of a run whose local container still runs (runs alive by the container rule)', () => {
    const dead = deadSwarmObjects([service('s', 'r', ['complete'])], [secret('k', 'r')], new Set(['r']), NOW, GRACE);
    expect(dead).toEqual({ services: [], secrets: [] });
  });
});

describe('deadRunObjects with swarm runs', () => {
  const container = (id: string, run: string, state: string, swarmTask = false): ContainerSummary => ({
    id,
    state,
    createdMs: NOW - OLD,
    labels: { 'pmt.run': run, ...(swarmTask ? { 'com.docker.swarm.task.id': 'x' } : {}) },
  });

  it('keeps the containers and volumes of a run alive by its service, and never takes a swarm task container', () => {
    const containers = [container('local-exited', 'swarm-live', 'exited'), container('task-exited', 'dead', 'exited', true), container('plain', 'dead', 'exited')];
    const volumes = [{ name: 'v-live', labels: { 'pmt.run': 'swarm-live' }, createdMs: 0 }];
    const dead = deadRunObjects(containers, volumes, NOW, GRACE, new Set(['swarm-live']));
    expect(dead.containers.map((c) => c.id)).toEqual(['plain']);
    expect(dead.volumes).toEqual([]);
  });
});
