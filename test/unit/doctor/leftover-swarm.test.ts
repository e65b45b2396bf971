import { describe, expect, it } from 'vitest';
import { leftoverFinding, removedFinding } from '../../../src/doctor/leftover-containers.js';

describe('leftovers on a swarm manager', () => {
  it('names services and secrets first, and counts them', () => {
    const finding = leftoverFinding({
      containers: [],
      volumes: [],
      services: [{ id: 's1', name: 'pmt-abc-1', labels: {}, createdMs: 0 }],
      secrets: [{ id: 'k1', name: 'pmt-abc-1-token', labels: {}, createdMs: 0 }],
    });
    expect(finding).toMatchObject({ status: 'warn', message: '1 service(s), 1 secret(s), 0 container(s) and 0 volume(s) left by pmt runs that are gone: service pmt-abc-1, secret pmt-abc-1-token' });
    expect(removedFinding({ containers: 0, volumes: 0, services: 2, secrets: 1 }).message).toBe('removed 2 service(s), 1 secret(s), 0 container(s) and 0 volume(s) left by pmt runs that are gone');
  });
});
