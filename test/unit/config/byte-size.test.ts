import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../../src/config/byte-size.js';

describe('parseByteSize', () => {
  it.each([
    [0, 0],
    [1048576, 1048576],
    ['1024', 1024],
    ['12B', 12],
    ['500kB', 500_000],
    ['500KB', 500_000],
    ['64MiB', 64 * 2 ** 20],
    ['64 MiB', 64 * 2 ** 20],
    [' 1GiB ', 2 ** 30],
    ['1gib', 2 ** 30],
    ['1.5KiB', 1536],
    ['1.1kB', 1100],
    ['2MB', 2_000_000],
    ['3GB', 3e9],
    ['1TiB', 2 ** 40],
  ])('reads %j as %i bytes', (input, bytes) => {
    expect(parseByteSize(input)).toEqual({ bytes });
  });

  it.each([
    ['', '"" is not a size (e.g. 1048576, "64MiB", "1GiB" or "500kB")'],
    ['64 MB/s', '"64 MB/s" is not a size (e.g. 1048576, "64MiB", "1GiB" or "500kB")'],
    ['10 parsecs', '"10 parsecs" is not a size (e.g. 1048576, "64MiB", "1GiB" or "500kB")'],
    ['-5MiB', '"-5MiB" is not a size (e.g. 1048576, "64MiB", "1GiB" or "500kB")'],
    ['1.5', '"1.5" is not a whole number of bytes'],
    ['1.5B', '"1.5B" is not a whole number of bytes'],
    ['99999999TiB', '"99999999TiB" is too large'],
    [-1, '-1 is negative'],
    [1.5, '1.5 is not a whole number of bytes'],
    [2 ** 60, `${2 ** 60} is not a whole number of bytes`],
  ])('rejects %j', (input, error) => {
    expect(parseByteSize(input)).toEqual({ error });
  });
});
