import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advertiseAddrProblem, isLoopback } from '../../../src/config/advertise-addr.js';
import { parseConfig } from '../../../src/config/parse-config.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { lookUpConfig, type LookedUp } from '../../../src/lookup/input-lookup.js';
import type { SwarmRuntime, SwarmState } from '../../../src/docker/swarm-runtime.js';
import { localAddressToward, swarmPreflight } from '../../../src/swarm/swarm-preflight.js';
import { problemsOf, problemsOfAsync } from './problems-of.js';

describe('swarm config keys', () => {
  it('defaults to the local engine, an automatic advertise address and a 60 s placement timeout', () => {
    const config = parseConfig('{}', 'c.json', '/');
    expect(config).toMatchObject({ engine: 'local', restAdvertiseAddr: '', swarmPlacementTimeoutMs: 60_000 });
  });

  it('reads Engine, RestAdvertiseAddr and SwarmPlacementTimeout', () => {
    const config = parseConfig('{"Engine": "swarm", "RestAdvertiseAddr": "10.1.2.3", "SwarmPlacementTimeout": "90s"}', 'c.json', '/');
    expect(config).toMatchObject({ engine: 'swarm', restAdvertiseAddr: '10.1.2.3', swarmPlacementTimeoutMs: 90_000 });
    expect(parseConfig('{"RestAdvertiseAddr": "fd00::5"}', 'c.json', '/').restAdvertiseAddr).toBe('fd00::5');
  });

  it('refuses a wildcard or a host name as advertise address, an unknown engine and a bad duration, at their positions', () => {
    expect(problemsOf(() => parseConfig('{"RestAdvertiseAddr": "0.0.0.0"}', 'c.json', '/'))).toEqual([
      'c.json:1:23: RestAdvertiseAddr: "0.0.0.0" would open pmt\'s REST endpoint on every interface: give the one address of this machine that swarm nodes reach',
    ]);
    expect(problemsOf(() => parseConfig('{"RestAdvertiseAddr": "::"}', 'c.json', '/'))[0]).toContain('every interface');
    expect(problemsOf(() => parseConfig('{"RestAdvertiseAddr": "build.example"}', 'c.json', '/'))[0]).toContain('"build.example" is not an IP address');
    expect(problemsOf(() => parseConfig('{"Engine": "kubernetes"}', 'c.json', '/'))[0]).toMatch(/^c\.json:1:\d+: Engine: /);
    expect(problemsOf(() => parseConfig('{"SwarmPlacementTimeout": "soon"}', 'c.json', '/'))[0]).toContain('SwarmPlacementTimeout: "soon" is not a duration');
  });

  it('knows loopback addresses', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) expect(isLoopback(address)).toBe(true);
    for (const address of ['10.0.0.1', 'fd00::1', '128.0.0.1']) expect(isLoopback(address)).toBe(false);
    // IPv4-mapped and long spellings of the same addresses.
    for (const address of ['::ffff:7f00:1', '0:0:0:0:0:0:0:1', '::0:1']) expect(isLoopback(address)).toBe(true);
    expect(isLoopback('::ffff:10.0.0.5')).toBe(false);
  });

  it('refuses every spelling of the wildcard, the IPv4-mapped one included (it binds every IPv4 interface)', () => {
    for (const address of ['0.0.0.0', '::', '0::0', '::ffff:0.0.0.0', '::ffff:0:0', '0:0:0:0:0:ffff:0:0']) {
      expect(advertiseAddrProblem(address)).toContain('every interface');
    }
    for (const address of ['10.0.0.5', '::ffff:10.0.0.5', 'fd00::5']) expect(advertiseAddrProblem(address)).toBeUndefined();
    expect(advertiseAddrProblem('10.0.0.1')).toBeUndefined();
  });

  it('refuses a link-local address with a zone: tasks get it in a URL, which cannot carry one', () => {
    expect(advertiseAddrProblem('fe80::1%eth0')).toBe('"fe80::1%eth0" has a zone (%eth0), which names an interface of this machine and means nothing to swarm nodes: give an address they route to, e.g. "fd00::5"');
    expect(problemsOf(() => parseConfig('{"RestAdvertiseAddr": "fe80::1%25eth0"}', 'c.json', '/'))[0]).toMatch(/^c\.json:1:\d+: RestAdvertiseAddr: "fe80::1%25eth0" has a zone/);
  });
});

describe('swarm mode in the resolved config', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pmt-config-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });
  /** The config file as the CLI finds it (no user config dir). */
  const lookedUp = (): Promise<LookedUp> => lookUpConfig({ cwd, env: { XDG_CONFIG_HOME: path.join(cwd, 'none') } });

  it('takes --swarm and --rest-advertise-addr over the file', async () => {
    await writeFile(path.join(cwd, 'core_engine_config.json'), '{"RestAdvertiseAddr": "10.1.1.1"}');
    const config = await resolveConfig({ cwd, source: await lookedUp(), env: {}, overrides: { engine: 'swarm', restAdvertiseAddr: '10.2.2.2' } });
    expect(config).toMatchObject({ engine: 'swarm', restAdvertiseAddr: '10.2.2.2' });
  });

  it('refuses RestApi false with swarm, and a loopback or wildcard advertise address', async () => {
    await writeFile(path.join(cwd, 'core_engine_config.json'), '{"RestApi": false, "Engine": "swarm"}');
    expect(await problemsOfAsync(async () => resolveConfig({ cwd, source: await lookedUp(), env: {} }))).toEqual([
      expect.stringMatching(/^swarm mode: RestApi is false, but swarm mode needs the REST endpoint/),
    ]);
    expect(await problemsOfAsync(async () => resolveConfig({ cwd, source: await lookedUp(), env: {}, overrides: { restApi: true, restAdvertiseAddr: '127.0.0.1' } }))).toEqual([
      expect.stringMatching(/^swarm mode: RestAdvertiseAddr 127\.0\.0\.1 is a loopback address: swarm tasks on other nodes cannot reach it/),
    ]);
    expect(await problemsOfAsync(async () => resolveConfig({ cwd, source: await lookedUp(), env: {}, overrides: { restApi: true, restAdvertiseAddr: '0.0.0.0' } }))).toEqual([
      expect.stringMatching(/^command-line option --rest-advertise-addr: "0\.0\.0\.0" would open/),
    ]);
  });

  it('lets a local run keep RestApi false and a loopback advertise address', async () => {
    const config = await resolveConfig({ cwd, source: await lookedUp(), env: {}, overrides: { restApi: false, restAdvertiseAddr: '127.0.0.1' } });
    expect(config.engine).toBe('local');
  });
});

describe('localAddressToward', () => {
  it('names the local address the kernel uses to reach an address, without sending anything', async () => {
    expect(await localAddressToward('127.0.0.1')).toBe('127.0.0.1');
    expect(await localAddressToward('127.3.4.5')).toBe('127.0.0.1');
  });

  it('refuses a node address that is not an IP address', async () => {
    await expect(localAddressToward('manager.local')).rejects.toThrow(/is not an IP address/);
  });
});

describe('swarmPreflight', () => {
  const manager = (state: Partial<SwarmState>) =>
    ({ swarmState: async () => ({ manager: true, localState: 'active', nodeAddr: '127.0.0.1', nodeId: 'n1', ...state }) }) as unknown as SwarmRuntime;

  it('refuses a manager reached over loopback unless an advertise address is set', async () => {
    await expect(swarmPreflight(manager({}), 'unix:///m.sock', '')).rejects.toThrow(
      "the swarm manager is reached over loopback (127.0.0.1), so swarm tasks on other nodes cannot reach pmt's REST endpoint there",
    );
    expect(await swarmPreflight(manager({}), 'unix:///m.sock', '10.9.9.9')).toMatchObject({ advertiseAddr: '10.9.9.9' });
  });

  it('refuses an engine in no active swarm, and a worker', async () => {
    await expect(swarmPreflight(manager({ localState: 'inactive', manager: false }), 'unix:///e.sock', '')).rejects.toThrow('is not part of an active swarm (its swarm state: inactive)');
    await expect(swarmPreflight(manager({ manager: false }), 'unix:///w.sock', '')).rejects.toThrow('is a swarm worker, not a manager');
  });
});
