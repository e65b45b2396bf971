import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import type { Plugin } from '../../../src/registry/plugin.js';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';
import { Registry } from '../../../src/registry/registry.js';

const plugin = (name: string): Plugin => ({
  name,
  version: '1',
  image: name.toLowerCase(),
  shell: '/bin/sh',
  cmd: 'true',
  results: ['result.json'],
  importer: name,
  ...PLUGIN_DEFAULTS,
});

const [licensee, scancode, hasher] = [plugin('Licensee'), plugin('Scancode'), plugin('File-Hasher')] as [Plugin, Plugin, Plugin];
const registry = new Registry('plugins.yaml', [licensee, scancode, hasher], 'licensee');
const noDefault = new Registry('plugins.yaml', [licensee, scancode]);

function usageError(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('Registry', () => {
  it('lists its plugins, frozen, and knows its default', () => {
    expect(registry.source).toBe('plugins.yaml');
    expect(registry.available()).toEqual([licensee, scancode, hasher]);
    expect(Object.isFrozen(registry.available())).toBe(true);
    expect(registry.default()).toBe(licensee);
    expect(noDefault.default()).toBeUndefined();
    expect(registry.isEmpty()).toBe(false);
    expect(new Registry('empty.yaml', []).isEmpty()).toBe(true);
  });

  it('refuses a default that is not one of its plugins', () => {
    expect(() => new Registry('x.yaml', [licensee], 'scancode')).toThrow('default plugin "scancode" is not in the registry');
  });

  it('finds plugins case-insensitively', () => {
    expect(registry.find('file-hasher')).toBe(hasher);
    expect(registry.find('SCANCODE')).toBe(scancode);
    expect(registry.find('composer')).toBeUndefined();
  });
});

describe('Registry.select', () => {
  it('selects the named plugins in request order, each once', () => {
    expect(registry.select(['scancode', 'LICENSEE', 'Scancode'])).toEqual([scancode, licensee]);
  });

  it('selects the default plugin when no name is given', () => {
    expect(registry.select([])).toEqual([licensee]);
  });

  it('refuses an empty selection when there is no default plugin', () => {
    const error = usageError(() => noDefault.select([]));
    expect(error.message).toBe('no plugin selected and the registry plugins.yaml names no default plugin');
    expect(error.hint).toBe('choose one with -p NAME (available: Licensee, Scancode)');
  });

  it('selects every plugin for "all", in any case', () => {
    expect(registry.select('all')).toEqual([licensee, scancode, hasher]);
    expect(registry.select(['ALL'])).toEqual([licensee, scancode, hasher]);
    expect(registry.select(['licensee', 'all'])).toEqual([licensee, scancode, hasher]);
    expect(noDefault.select('all')).toEqual([licensee, scancode]);
  });

  it('rejects an unknown name, listing the available ones, instead of falling back to the default', () => {
    const error = usageError(() => registry.select(['licence']));
    expect(error.message).toBe('unknown plugin "licence" in the registry plugins.yaml (available: Licensee, Scancode, File-Hasher)');
    expect(error.hint).toBe('did you mean "Licensee"? plugin names are matched case-insensitively; "all" selects every plugin');
    expect(error.exitCode).toBe(2);
  });

  it('names every unknown plugin at once, even next to "all"', () => {
    const error = usageError(() => registry.select(['all', 'composer', 'licensee', 'spdx']));
    expect(error.message).toBe('unknown plugins "composer", "spdx" in the registry plugins.yaml (available: Licensee, Scancode, File-Hasher)');
    expect(error.hint).toBe('plugin names are matched case-insensitively; "all" selects every plugin');
  });
});
