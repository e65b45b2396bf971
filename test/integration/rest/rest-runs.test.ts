import { describe, expect, it } from 'vitest';
import { RunRegistry } from '../../../src/transport/rest-runs.js';

describe('RunRegistry', () => {
  it('finds a run by its token only, active or ended', () => {
    const runs = new RunRegistry();
    const { token } = runs.register({ id: 3, plugin: 'licensee', results: ['result.json'] });
    expect(runs.byToken(token)).toMatchObject({ id: 3, plugin: 'licensee', active: true });
    expect(runs.byToken(token.toUpperCase())).toBeUndefined();
    expect(runs.byToken('')).toBeUndefined();
    runs.unregister(3);
    expect(runs.byToken(token)).toMatchObject({ id: 3, active: false });
  });

  it('refuses declared results that could never be posted', () => {
    const runs = new RunRegistry();
    expect(() => runs.register({ id: 0, plugin: 'evil', results: ['../x'] })).toThrow('plugin evil declares a result that cannot be posted');
    expect(() => runs.register({ id: -1, plugin: 'p', results: ['a'] })).toThrow('whole number');
  });

  it('keeps a bounded list of rejection reasons', () => {
    const runs = new RunRegistry();
    runs.register({ id: 0, plugin: 'p', results: ['a'] });
    for (let i = 0; i < 60; i += 1) runs.reject(0, `reason ${i}`);
    runs.reject(9, 'for an unknown run');
    const reasons = runs.rejections(0);
    expect(reasons).toHaveLength(51);
    expect(reasons[0]).toBe('reason 0');
    expect(reasons[50]).toBe('… and 10 more');
    expect(runs.rejections(9)).toEqual([]);
  });
});
