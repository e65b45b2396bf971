import { describe, expect, it } from 'vitest';
import type { SwarmNode } from '../../../src/docker/swarm-runtime.js';
import { nodeFinding } from '../../../src/doctor/swarm-findings.js';

const node = (more: Partial<SwarmNode>): SwarmNode => ({
  id: 'abc',
  hostname: 'node-2',
  role: 'worker',
  state: 'ready',
  availability: 'active',
  addr: '10.0.0.2',
  cpus: 4,
  memoryBytes: 8 * 1024 ** 3,
  engineVersion: '20.10.24',
  labels: {},
  ...more,
});

describe('doctor: a swarm node', () => {
  it('is ok with its role, state, availability, engine and resources when it takes tasks', () => {
    expect(nodeFinding(node({}))).toEqual({ check: 'node', status: 'ok', message: 'node-2: worker, ready, active, Docker 20.10.24, 4 CPUs, 8 GiB' });
  });

  it('warns when the swarm places no tasks on it, saying how to bring it back', () => {
    expect(nodeFinding(node({ availability: 'drain' }))).toMatchObject({
      status: 'warn',
      message: 'node-2: worker, ready, drain, Docker 20.10.24, 4 CPUs, 8 GiB: the swarm places no tasks on it',
      hint: expect.stringContaining('docker node update --availability active node-2'),
    });
    expect(nodeFinding(node({ state: 'down', engineVersion: '', cpus: 0, memoryBytes: 0 }))).toMatchObject({ status: 'warn', message: 'node-2: worker, down, active: the swarm places no tasks on it' });
  });
});
