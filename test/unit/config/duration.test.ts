import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    [90, 90_000],
    ['90', 90_000],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
    [' 2M ', 120_000],
    ['1.1s', 1100],
    ['1ms', 1],
    [0.001, 1],
    // Beyond what one Node timer can wait (2^31-1 ms): pmt's deadlines re-arm.
    ['720h', 720 * 3_600_000],
    ['1000h', 1000 * 3_600_000],
    ['876000h', MAX_DURATION_MS],
  ])('%j → %i ms', (given, ms) => {
    expect(parseDuration(given)).toEqual({ ms });
  });

  it.each([0, -1, '', 'soon', '10 minutes', '1h 30m', '0s', 's', '5d'])('%j is an error with examples', (given) => {
    const parsed = parseDuration(given);
    expect(parsed).toHaveProperty('error');
  });

  it.each([
    ['0.1ms', '"0.1ms" is shorter than 1ms'],
    [0.0001, '0.0001 is shorter than 1ms'],
    ['1.5ms', '"1.5ms" is not a whole number of milliseconds'],
    ['876001h', '"876001h" is longer than 876000h (100 years), the longest duration pmt accepts'],
    [1e300, '1e+300 is longer than 876000h (100 years), the longest duration pmt accepts'],
  ])('%j is out of bounds: %s', (given, error) => {
    expect(parseDuration(given)).toEqual({ error });
  });
});

describe('formatDuration', () => {
  it.each([
    [1500, '1.5s'],
    [59_000, '59s'],
    [125_000, '2m05s'],
    [3_720_000, '1h02m'],
    [1_800_000, '30m'],
    [7_200_000, '2h'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
