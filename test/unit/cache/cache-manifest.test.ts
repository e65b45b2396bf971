import { describe, expect, it } from 'vitest';
import { isPlainName, parseManifest } from '../../../src/cache/cache-manifest.js';

const key = 'e'.repeat(64);
const file = { name: 'result.json', size: 3, sha256: 'f'.repeat(64) };
const manifest = { format: 'pmt-cache-1', key, createdAt: '2024-01-01T00:00:00.000Z', files: [file] };
const text = (value: unknown): string => JSON.stringify(value);

describe('isPlainName', () => {
  it.each(['result.json', '.hidden', 'a..b', 'ünï cödé'])('accepts %j', (name) => expect(isPlainName(name)).toBe(true));
  it.each(['', '.', '..', '../x', 'a/b', '/etc/passwd', 'a\\b', 'a\0b'])('rejects %j', (name) => expect(isPlainName(name)).toBe(false));
});

describe('parseManifest', () => {
  it('reads a well-formed manifest of its key', () => {
    expect(parseManifest(text(manifest), key)).toEqual(manifest);
  });

  it.each<[string, string]>([
    ['not JSON', '{"format":'],
    ['an array', '[]'],
    ['another format', text({ ...manifest, format: 'pmt-cache-0' })],
    ['another key', text({ ...manifest, key: '0'.repeat(64) })],
    ['no createdAt', text({ ...manifest, createdAt: undefined })],
    ['files not a list', text({ ...manifest, files: {} })],
    ['a file name with ..', text({ ...manifest, files: [{ ...file, name: '../x' }] })],
    ['a file name with /', text({ ...manifest, files: [{ ...file, name: 'a/b' }] })],
    ['a duplicate name', text({ ...manifest, files: [file, file] })],
    ['a negative size', text({ ...manifest, files: [{ ...file, size: -1 }] })],
    ['a fractional size', text({ ...manifest, files: [{ ...file, size: 1.5 }] })],
    ['a short sha256', text({ ...manifest, files: [{ ...file, sha256: 'abc' }] })],
    ['a file that is not an object', text({ ...manifest, files: ['result.json'] })],
  ])('refuses %s', (_what, bad) => {
    expect(parseManifest(bad, key)).toBeUndefined();
  });
});
