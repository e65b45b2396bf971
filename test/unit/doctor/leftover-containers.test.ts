import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../../src/docker/container-runtime.js';
import { leftoverFinding, removedFinding } from '../../../src/doctor/leftover-containers.js';

const container = (id: string): ContainerSummary => ({ id, state: 'exited', createdMs: 0, labels: { 'pmt.run': 'r' } });

describe('leftover containers', () => {
  it('warns with the counts and short ids, and says how to remove them', () => {
    const finding = leftoverFinding({ containers: [container('a'.repeat(64)), container('b'.repeat(64))], volumes: [{ name: 'c'.repeat(64), labels: {}, createdMs: 0 }] });
    expect(finding.status).toBe('warn');
    expect(finding.message).toBe(`2 container(s) and 1 volume(s) left by pmt runs that are gone: ${'a'.repeat(12)}, ${'b'.repeat(12)}, volume ${'c'.repeat(12)}`);
    expect(finding.hint).toContain('pmt doctor --fix');
  });

  it('is ok when nothing is left, and after --fix says how many went', () => {
    expect(leftoverFinding({ containers: [], volumes: [] }).status).toBe('ok');
    expect(removedFinding({ containers: 3, volumes: 1 })).toEqual({
      check: 'leftovers',
      status: 'ok',
      message: 'removed 3 container(s) and 1 volume(s) left by pmt runs that are gone',
    });
    expect(removedFinding({ containers: 0, volumes: 0 }).message).toBe('nothing left by pmt runs that are gone');
  });
});
