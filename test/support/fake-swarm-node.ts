import type { SwarmNode } from '../../src/docker/swarm-runtime.js';

/** A swarm node as the manager lists it, for unit tests of what pmt does with nodes. */
export function fakeSwarmNode(id: string, state = 'ready', availability = 'active'): SwarmNode {
  return { id, hostname: `host-${id}`, role: 'worker', state, availability, addr: '10.0.0.1', cpus: 2, memoryBytes: 1 << 30, labels: {} };
}
