import { describe, expect, it } from 'vitest';
import { resultNameProblem, savedNameKey, savedNameProblem, showName } from '../../../src/registry/result-name.js';

describe('resultNameProblem', () => {
  it.each(['result.json', 'result.spdx', '.hidden', 'a..b', 'scan result (1).txt', 'résultat.json', '结果.txt', 'a=b+c@d#e.txt', 'x'.repeat(255)])(
    'accepts the plain file name %j',
    (name) => {
      expect(resultNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ['', 'a result file name must not be empty'],
    ['.', '"." is not a file name'],
    ['..', '".." is not a file name'],
    ['../result.json', '"../result.json" must be a plain file name, not a path'],
    ['out/result.json', '"out/result.json" must be a plain file name, not a path'],
    ['/result/result.json', '"/result/result.json" must be a plain file name, not a path'],
    ['out\\result.json', '"out\\\\result.json" must be a plain file name, not a path'],
    ['result\0.json', '"result\\u0000.json" must not contain control or invisible formatting characters (found U+0000)'],
    ['line\nbreak', '"line\\nbreak" must not contain control or invisible formatting characters (found U+000A)'],
    ['del\x7f.txt', '"del\\u007f.txt" must not contain control or invisible formatting characters (found U+007F)'],
    ['c1\u0085.txt', '"c1\\u0085.txt" must not contain control or invisible formatting characters (found U+0085)'],
    ['invoice\u202Etxt.exe', '"invoice\\u202etxt.exe" must not contain control or invisible formatting characters (found U+202E)'],
    ['zero\u200Bwidth', '"zero\\u200bwidth" must not contain control or invisible formatting characters (found U+200B)'],
    ['\uFEFFbom', '"\\ufeffbom" must not contain control or invisible formatting characters (found U+FEFF)'],
    ['para\u2029sep', '"para\\u2029sep" must not contain control or invisible formatting characters (found U+2029)'],
    ['lone\uD800', '"lone\\ud800" must not contain control or invisible formatting characters (found U+D800)'],
    ['a;type=x.txt', '"a;type=x.txt" must not contain ";" (curl -F gives it a meaning)'],
    ['say"hi".txt', '"say\\"hi\\".txt" must not contain "\\"" (curl -F gives it a meaning)'],
    ['a,b.txt', '"a,b.txt" must not contain "," (curl -F gives it a meaning)'],
    ['x'.repeat(256), `"${'x'.repeat(256)}" is longer than 255 bytes`],
    ['é'.repeat(128), `"${'é'.repeat(128)}" is longer than 255 bytes`],
  ])('rejects %j', (name, problem) => {
    expect(resultNameProblem(name)).toBe(problem);
  });
});

describe('saved names', () => {
  it('counts <plugin>_<result> in UTF-8 bytes against 255', () => {
    expect(savedNameProblem('p', 'x'.repeat(253))).toBeUndefined();
    expect(savedNameProblem('p', 'x'.repeat(254))).toMatch(/^is saved as "p_…" \(256 bytes\), longer than the 255 bytes/);
    expect(savedNameProblem('p', 'é'.repeat(127))).toMatch(/\(256 bytes\)/);
  });

  it('compares saved names ignoring case and Unicode normalisation', () => {
    expect(savedNameKey('a_b', 'c')).toBe(savedNameKey('a', 'b_c'));
    expect(savedNameKey('p', 'Result.JSON')).toBe(savedNameKey('p', 'result.json'));
    expect(savedNameKey('p', 'e\u0301.txt')).toBe(savedNameKey('p', '\u00e9.txt'));
  });

  it('shows names with invisible characters escaped', () => {
    expect(showName('a\u202Eb\u0085')).toBe('"a\\u202eb\\u0085"');
  });
});
