import { describe, expect, it } from 'vitest';
import { assertCompatible } from '../../../src/engine/core-compatibility.js';
import { ConfigError } from '../../../src/errors.js';
import type { Plugin } from '../../../src/registry/plugin.js';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';

const plugin = (name: string, coreVersion: string | undefined): Plugin => ({
  name,
  version: '2.1.0',
  image: `pmt/${name}:1`,
  shell: '/bin/sh',
  cmd: 'true',
  results: ['r.json'],
  importer: name,
  ...PLUGIN_DEFAULTS,
  coreVersion,
});

describe('assertCompatible', () => {
  it('accepts plugins whose range includes the core engine, and plugins without a range', () => {
    expect(() => assertCompatible([plugin('a', '>=1.0.0 <2'), plugin('b', undefined), plugin('c', '^1.0.0')], '1.0.0', 'plugins.yaml')).not.toThrow();
  });

  it('refuses every incompatible plugin at once, naming both versions', () => {
    let error: unknown;
    try {
      assertCompatible([plugin('old', '<1.0.0'), plugin('ok', '1.x'), plugin('new', '>=2')], '1.0.0', 'plugins.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.message)).toEqual([
      'plugin "old" 2.1.0 needs core engine <1.0.0, but this pmt has core engine 1.0.0',
      'plugin "new" 2.1.0 needs core engine >=2, but this pmt has core engine 1.0.0',
    ]);
    expect((error as ConfigError).exitCode).toBe(2);
  });
});
