import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../src/store/format-bytes.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [64 * 1024 * 1024, '64 MiB'],
    [1024 ** 3, '1 GiB'],
    [5 * 1024 ** 4, '5 TiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
