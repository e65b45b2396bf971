import { describe, expect, it } from 'vitest';
import { containedTarget } from '../../../src/docker/input-archive.js';

describe('containedTarget: the target a symlink keeps in the copy of the input', () => {
  it.each<[string, string, string]>([
    ['LICENSE', '../../LICENSE', '/LICENSE'],
    ['a/b/link', '../../../x/y', '/x/y'],
    ['a/link', '../../../../../etc/passwd', '/etc/passwd'],
    ['a/link', '../../repo/LICENSE', '/repo/LICENSE'],
  ])('%s -> %s leads out of the input: the absolute path it resolves to in the container, %s', (rel, target, expected) => {
    expect(containedTarget(rel, target)).toBe(expected);
  });

  it.each<[string, string]>([
    ['packages/foo/LICENSE', '../../LICENSE'],
    ['COPYING', 'LICENSE'],
    ['a/link', '../b/./c'],
    ['link', '/etc/passwd'],
    ['link', '.'],
  ])('%s -> %s stays as it is', (rel, target) => {
    expect(containedTarget(rel, target)).toBe(target);
  });
});
