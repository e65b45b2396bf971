import { describe, expect, it } from 'vitest';
import { cacheKey, type CacheKeyInput } from '../../../src/cache/cache-key.js';
import { canonicalJson } from '../../../src/cache/canonical-json.js';
import type { Plugin } from '../../../src/registry/plugin.js';

const plugin: Plugin = {
  name: 'licensee',
  version: '9.16.0',
  coreVersion: '^1.0.0',
  image: 'pmt/licensee:9.16.0',
  shell: '/bin/sh',
  cmd: 'licensee detect /input --json > /result/result.json',
  results: ['result.json'],
  importer: 'licensee',
  build: '/repo/plugins/licensee',
  timeoutMs: 60_000,
  network: 'none',
  resources: { memoryBytes: undefined, cpus: undefined, pids: undefined },
  user: undefined,
  readOnlyRootfs: false,
  env: {},
};
const base: CacheKeyInput = { imageId: `sha256:${'a'.repeat(64)}`, plugin, inputDigest: `git:${'b'.repeat(40)}`, coreVersion: '1.0.0' };

/** The plugin's fields in reverse order: same value, different key order. */
function reversed<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).reverse()) as T;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).toBe('{"a":{"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('cacheKey', () => {
  const key = cacheKey(base);

  it('is 64 hex digits and stable across calls and key order', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base })).toBe(key);
    expect(cacheKey(reversed({ ...base, plugin: reversed({ ...plugin, env: reversed({ A: '1', B: '2' }) }) }))).toBe(
      cacheKey({ ...base, plugin: { ...plugin, env: { A: '1', B: '2' } } }),
    );
  });

  it.each<[string, Partial<CacheKeyInput>]>([
    ['image id', { imageId: `sha256:${'c'.repeat(64)}` }],
    ['input digest', { inputDigest: `walk:${'d'.repeat(64)}` }],
    ['core engine version', { coreVersion: '1.1.0' }],
  ])('changes with the %s', (_what, change) => {
    expect(cacheKey({ ...base, ...change })).not.toBe(key);
  });

  it.each<[string, Partial<Plugin>]>([
    ['image', { image: 'pmt/licensee:latest' }],
    ['shell', { shell: '/bin/bash' }],
    ['cmd', { cmd: 'licensee detect /input > /result/result.json' }],
    ['results', { results: ['result.json', 'extra.txt'] }],
    ['results order', { results: ['b', 'a'] }],
    ['env', { env: { LICENSEE_CONFIDENCE: '90' } }],
    ['user', { user: '1000:1000' }],
    ['network', { network: 'bridge' }],
    ['resources', { resources: { memoryBytes: 512 * 2 ** 20, cpus: undefined, pids: undefined } }],
    ['readOnlyRootfs', { readOnlyRootfs: true }],
    // The container sees it as PMT_PLUGIN_NAME.
    ['name', { name: 'licensee-copy' }],
  ])('changes with the plugin %s', (_field, change) => {
    expect(cacheKey({ ...base, plugin: { ...plugin, ...change } })).not.toBe(key);
  });

  it('changes with plugin fields it does not know yet', () => {
    const future = { ...plugin, seccomp: 'strict' } as Plugin;
    expect(cacheKey({ ...base, plugin: future })).not.toBe(key);
  });

  it.each<[string, Partial<Plugin>]>([
    ['version', { version: '9.17.0' }],
    ['importer', { importer: 'other' }],
    ['build', { build: undefined }],
    ['coreVersion', { coreVersion: undefined }],
    ['timeoutMs', { timeoutMs: 5_000 }],
  ])('ignores the plugin %s, which cannot change results', (_field, change) => {
    expect(cacheKey({ ...base, plugin: { ...plugin, ...change } })).toBe(key);
  });
});
