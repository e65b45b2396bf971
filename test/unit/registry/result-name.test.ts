import { describe, expect, it } from 'vitest';
import { resultNameProblem } from '../../../src/registry/result-name.js';

describe('resultNameProblem', () => {
  it.each(['result.json', 'result.spdx', '.hidden', 'a..b', 'scan result (1).txt'])('accepts the plain file name %j', (name) => {
    expect(resultNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'a result file name must not be empty'],
    ['.', '"." is not a file name'],
    ['..', '".." is not a file name'],
    ['../result.json', '"../result.json" must be a plain file name, not a path'],
    ['out/result.json', '"out/result.json" must be a plain file name, not a path'],
    ['/result/result.json', '"/result/result.json" must be a plain file name, not a path'],
    ['out\\result.json', '"out\\result.json" must be a plain file name, not a path'],
    ['result\0.json', 'a result file name must not contain a NUL character'],
    ['a;type=x.txt', '"a;type=x.txt" must not contain ";", \'"\' or control characters'],
    ['say"hi".txt', '"say"hi".txt" must not contain ";", \'"\' or control characters'],
    ['line\nbreak', '"line\nbreak" must not contain ";", \'"\' or control characters'],
  ])('rejects %j', (name, problem) => {
    expect(resultNameProblem(name)).toBe(problem);
  });
});
