import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../src/log/format-log-line.js';

describe('formatLogLine', () => {
  it('prefixes the component and plugin like the original client', () => {
    expect(formatLogLine({ level: 30, time: 't', component: 'Plugin agent', plugin: 'licensee', msg: 'Executing command in container: ls' })).toBe(
      '[Plugin agent] [licensee] Executing command in container: ls',
    );
    expect(formatLogLine({ level: 30, component: 'Core', msg: 'Run abc' })).toBe('[Core] Run abc');
  });

  it('marks non-info levels and appends extra fields', () => {
    expect(formatLogLine({ level: 40, component: 'Core', msg: 'careful', container: 'abc' })).toBe('[Core] warn: careful (container=abc)');
    expect(formatLogLine({ level: 50, msg: 'bad', n: 3 })).toBe('error: bad (n=3)');
  });
});
