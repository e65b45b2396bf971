import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../../../src/cli/progress/color-support.js';
import { fitSegments } from '../../../../src/cli/progress/fit-segments.js';
import { formatDuration } from '../../../../src/cli/progress/format-duration.js';

describe('colorEnabled', () => {
  it('colours terminals unless NO_COLOR is set (any value) or TERM is dumb', () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '' })).toBe(false);
    expect(colorEnabled(true, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled(false, {})).toBe(false);
  });

  it('lets FORCE_COLOR turn colour on for pipes, but not against NO_COLOR', () => {
    expect(colorEnabled(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(false, { FORCE_COLOR: '' })).toBe(true);
    expect(colorEnabled(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled(true, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colorEnabled(false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });
});

describe('formatDuration', () => {
  it('fits six columns from tenths of seconds to hours', () => {
    expect(formatDuration(0)).toBe('0.0s');
    expect(formatDuration(1449)).toBe('1.4s');
    expect(formatDuration(59_940)).toBe('59.9s');
    expect(formatDuration(59_960)).toBe('1m00s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
    expect(formatDuration(-5)).toBe('0.0s');
  });
});

describe('fitSegments', () => {
  it('drops trailing blanks and cuts with an ellipsis', () => {
    expect(fitSegments([{ text: 'ab  ' }, { text: '   ' }], 10, false)).toBe('ab');
    expect(fitSegments([{ text: 'abc' }, { text: 'def' }], 6, false)).toBe('abcdef');
    expect(fitSegments([{ text: 'abc' }, { text: 'def' }], 5, false)).toBe('abcd…');
    expect(fitSegments([{ text: 'abc' }], 0, false)).toBe('');
  });

  it('counts code points, not UTF-16 units, and colours what is kept', () => {
    expect(fitSegments([{ text: '✓ ', color: 'green' }, { text: 'licensee' }], 5, true)).toBe('\x1b[32m✓ \x1b[39mli…');
  });
});
