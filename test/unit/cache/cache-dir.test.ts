import { describe, expect, it } from 'vitest';
import { cacheDirOf, defaultCacheDir } from '../../../src/cache/cache-dir.js';

describe('defaultCacheDir', () => {
  it('is $XDG_CACHE_HOME/pmt when that is set and absolute', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }, '/home/me')).toBe('/var/cache/me/pmt');
  });

  it('is ~/.cache/pmt otherwise (a relative XDG_CACHE_HOME is ignored, as the spec says)', () => {
    expect(defaultCacheDir({}, '/home/me')).toBe('/home/me/.cache/pmt');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '' }, '/home/me')).toBe('/home/me/.cache/pmt');
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'rel/cache' }, '/home/me')).toBe('/home/me/.cache/pmt');
    expect(defaultCacheDir({ HOME: '/home/env' })).toBe('/home/env/.cache/pmt');
  });
});

describe('cacheDirOf', () => {
  it('takes CacheDir from the config, else the default', () => {
    expect(cacheDirOf({ cacheDir: '/srv/pmt-cache' }, { XDG_CACHE_HOME: '/x' })).toBe('/srv/pmt-cache');
    expect(cacheDirOf({ cacheDir: '' }, { XDG_CACHE_HOME: '/x' })).toBe('/x/pmt');
  });
});
