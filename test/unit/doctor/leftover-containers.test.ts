import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../../src/docker/container-runtime.js';
import { staleContainers } from '../../../src/engine/reap-stale-containers.js';
import { leftoverFinding, removedFinding } from '../../../src/doctor/leftover-containers.js';

const container = (id: string, pid: string): ContainerSummary => ({ id, state: 'running', labels: { 'pmt.pid': pid, 'pmt.host': 'here' } });

describe('leftover containers', () => {
  it('counts containers of dead or unreadable pids as stale, never those of live ones', () => {
    const candidates = [container('a'.repeat(64), '111'), container('b'.repeat(64), '222'), container('c'.repeat(64), 'x'), container('d'.repeat(64), '-5')];
    const stale = staleContainers(candidates, (pid) => pid === 222);
    expect(stale.map((c) => c.id[0])).toEqual(['a', 'c', 'd']);
  });

  it('warns with the count and short ids, and says how to remove them', () => {
    const finding = leftoverFinding([container('a'.repeat(64), '1'), container('b'.repeat(64), '2')]);
    expect(finding.status).toBe('warn');
    expect(finding.message).toBe(`2 container(s) left by pmt processes that are gone: ${'a'.repeat(12)}, ${'b'.repeat(12)}`);
    expect(finding.hint).toContain('pmt doctor --fix');
  });

  it('is ok when nothing is left, and after --fix says how many went', () => {
    expect(leftoverFinding([]).status).toBe('ok');
    expect(removedFinding(3)).toEqual({ check: 'leftovers', status: 'ok', message: 'removed 3 container(s) left by pmt processes that are gone' });
    expect(removedFinding(0).message).toBe('no containers left by pmt processes that are gone');
  });
});
