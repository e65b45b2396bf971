import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';

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
  ])('%j → %i ms', (given, ms) => {
    expect(parseDuration(given)).toEqual({ ms });
  });

  it.each([0, -1, '', 'soon', '10 minutes', '1h 30m', '0s', 's', '5d'])('%j is an error with examples', (given) => {
    const parsed = parseDuration(given);
    expect(parsed).toHaveProperty('error');
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
