import { describe, expect, it } from 'vitest';
import { authResolver } from '../../../src/cli/auth-resolver.js';
import { connectDocker } from '../../../src/docker/connect-docker.js';

/**
 * The engine's default registry comes from GET /info, which a busy engine (a swarm manager) answers
 * in tens of ms: it is asked only for a reference that names no registry host, and once.
 */
describe('authResolver against the real engine', () => {
  const runtime = connectDocker({ env: process.env });
  const counted = () => {
    const asked: string[] = [];
    const engine = {
      defaultRegistry: async () => {
        const found = await runtime.defaultRegistry();
        asked.push(found);
        return found;
      },
    };
    return { asked, resolve: authResolver({ username: 'u', password: 'p' }, engine, { HOME: '/nonexistent' }) };
  };

  it('does not ask the engine for a reference that names its registry', async () => {
    const { asked, resolve } = counted();
    expect(await resolve('10.0.0.5:5000/pmt/licensee:9.15.2')).toEqual({ auth: { username: 'u', password: 'p', serveraddress: '10.0.0.5:5000' }, source: 'RemoteRepoUser/RemoteRepoPass' });
    expect(await resolve('registry.example.invalid/team/scanner@sha256:' + '0'.repeat(64))).toMatchObject({ auth: { serveraddress: 'registry.example.invalid' } });
    expect(asked).toEqual([]);
  });

  it('asks the engine once for references without a host, and uses its answer as their registry', async () => {
    const { asked, resolve } = counted();
    const first = await resolve('pmt/licensee:9.15.2');
    const second = await resolve('debian:bookworm-slim');
    expect(asked).toHaveLength(1);
    expect(asked[0]).not.toBe('');
    expect(first.auth?.serveraddress).toBe(asked[0]);
    expect(second.auth?.serveraddress).toBe(asked[0]);
  });
});
