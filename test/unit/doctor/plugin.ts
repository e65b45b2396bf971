import type { Plugin } from '../../../src/registry/plugin.js';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';

/** A registry entry for the doctor's pure checks. */
export function testPlugin(name: string, overrides: Partial<Plugin> = {}): Plugin {
  return { name, version: '1', image: `pmt-test/${name}:1`, shell: '/bin/sh', cmd: 'true', results: ['r.txt'], importer: name, ...PLUGIN_DEFAULTS, ...overrides };
}
