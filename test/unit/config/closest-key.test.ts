import { describe, expect, it } from 'vitest';
import { closestKey, didYouMean, levenshtein } from '../../../src/config/closest-key.js';

describe('levenshtein', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein('', '')).toBe(0);
    expect(levenshtein('abc', '')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('dockerimage', 'docker_image')).toBe(1);
  });
});

describe('closestKey', () => {
  const keys = ['name', 'version', 'core_version', 'docker_image', 'shell', 'cmd', 'results'];

  it('suggests the nearest key, ignoring case', () => {
    expect(closestKey('dockerimage', keys)).toBe('docker_image');
    expect(closestKey('Results', keys)).toBe('results');
    expect(closestKey('corevesion', keys)).toBe('core_version');
    expect(closestKey('restapi', ['RestApi', 'RestFallback'])).toBe('RestApi');
  });

  it('suggests nothing when no key is plausibly meant', () => {
    expect(closestKey('timeout', keys)).toBeUndefined();
    expect(closestKey('x', [])).toBeUndefined();
  });

  it('formats the suggestion for messages', () => {
    expect(didYouMean('shel', keys)).toBe(' — did you mean "shell"?');
    expect(didYouMean('timeout', keys)).toBe('');
  });
});
