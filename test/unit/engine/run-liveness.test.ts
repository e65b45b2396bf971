import { describe, expect, it } from 'vitest';
import type { ContainerSummary, VolumeSummary } from '../../../src/docker/container-runtime.js';
import { deadRunObjects, needsEngineClock } from '../../../src/engine/run-liveness.js';

const NOW = 10_000_000;
const GRACE = 60_000;
const container = (id: string, run: string, state: string, ageMs = 3_600_000): ContainerSummary => ({
  id,
  state,
  createdMs: NOW - ageMs,
  labels: { 'pmt.run': run, 'pmt.pid': '1', 'pmt.host': 'here' },
});
const volume = (name: string, run: string, ageMs = 3_600_000): VolumeSummary => ({ name, createdMs: NOW - ageMs, labels: { 'pmt.run': run } });

describe('deadRunObjects: a run is alive while one of its containers runs', () => {
  it('keeps everything of a run with a running (or paused) container, whatever state its other objects are in', () => {
    const containers = [container('r', 'live', 'running'), container('e', 'live', 'exited'), container('c', 'live', 'created'), container('p', 'paused-run', 'paused'), container('x', 'paused-run', 'exited')];
    const dead = deadRunObjects(containers, [volume('v', 'live')], NOW, GRACE);
    expect(dead).toEqual({ containers: [], volumes: [] });
  });

  it('takes exited and dead containers of runs with nothing running at once, never a running one', () => {
    const containers = [container('e', 'gone', 'exited', 0), container('d', 'gone', 'dead', 0), container('busy', 'gone2', 'running'), container('rm', 'gone', 'removing')];
    expect(deadRunObjects(containers, [], NOW, GRACE).containers.map((c) => c.id)).toEqual(['e', 'd']);
  });

  it('takes created containers and volumes of such runs only after the start-up grace (engine clock)', () => {
    const containers = [container('young', 'starting', 'created', GRACE - 1), container('old', 'gone', 'created', GRACE)];
    const volumes = [volume('young-v', 'starting', 1_000), volume('old-v', 'gone', GRACE + 1)];
    const dead = deadRunObjects(containers, volumes, NOW, GRACE);
    expect(dead.containers.map((c) => c.id)).toEqual(['old']);
    expect(dead.volumes.map((v) => v.name)).toEqual(['old-v']);
  });

  it('asks for the engine clock only when an object of the start-up kind is there', () => {
    expect(needsEngineClock([container('e', 'r', 'exited'), container('r', 'r', 'running')], [])).toBe(false);
    expect(needsEngineClock([container('c', 'r', 'created')], [])).toBe(true);
    expect(needsEngineClock([], [volume('v', 'r')])).toBe(true);
  });
});
