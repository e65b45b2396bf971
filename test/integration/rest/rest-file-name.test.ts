import { describe, expect, it } from 'vitest';
import { fileNameProblem } from '../../../src/transport/rest-file-name.js';

describe('fileNameProblem', () => {
  it.each(['result.json', 'result.spdx', 'a..b', '.hidden', 'résultat.json', 'x'.repeat(255)])('accepts %j', (name) => {
    expect(fileNameProblem(name)).toBeUndefined();
  });

  it.each([
    [undefined, 'the file part has no file name'],
    ['', 'the file part has no file name'],
    ['.', '"." is not a file name'],
    ['..', '".." is not a file name'],
    ['../../x', 'file name "../../x" contains a path separator'],
    ['/etc/passwd', 'file name "/etc/passwd" contains a path separator'],
    ['..\\x', 'file name "..\\\\x" contains a path separator'],
    ['a\u0000b', 'file name "a\\u0000b" contains a control character'],
    ['a\nb', 'file name "a\\nb" contains a control character'],
    ['x'.repeat(256), 'file name is longer than 255 bytes'],
  ])('refuses %j', (name, reason) => {
    expect(fileNameProblem(name)).toBe(reason);
  });
});
