import { describe, expect, it } from 'vitest';
import { normaliseArgv } from '../../../src/cli/normalise-argv.js';

describe('normaliseArgv keeps the original client flags working', () => {
  it.each([
    [['-l'], ['list']],
    [['-l', '-r', 'x.json'], ['list', '-r', 'x.json']],
    [['--list', '--json'], ['list', '--json']],
    [['-v'], ['version']],
    [['-s', 'all', '-i', 'repo'], ['scan', '-s', 'all', '-i', 'repo']],
    [['-i', '.'], ['scan', '-i', '.']],
    [['scan', '-p', 'licensee'], ['scan', '-p', 'licensee']],
    [['--help'], ['--help']],
    [[], []],
  ])('%j → %j', (given, expected) => {
    expect(normaliseArgv(given)).toEqual(expected);
  });
});
