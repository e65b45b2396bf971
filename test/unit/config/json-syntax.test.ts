import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../../src/config/json-syntax.js';

describe('findJsonSyntaxError', () => {
  it.each([
    '{}',
    '[]',
    ' {"a": [1, -2.5e3, true, false, null, "x\\"\\u00e9\\n"]}\n',
    '\uFEFF{"a": {}}',
    '"text"',
    '0',
  ])('accepts valid JSON %j', (text) => {
    expect(findJsonSyntaxError(text)).toBeUndefined();
    expect(() => JSON.parse(text.replace(/^\uFEFF/, ''))).not.toThrow();
  });

  it.each([
    ['{"a": 1,}', 8, "trailing comma before '}'"],
    ['[1, 2,]', 6, "trailing comma before ']'"],
    ['{a: 1}', 1, 'expected a double-quoted string, found "a"'],
    ["{'a': 1}", 1, 'expected a double-quoted string, found "\'"'],
    ['{"a": 1 # comment\n}', 8, "expected ',' or '}', found \"#\""],
    ['a: 1', 0, 'expected a JSON value, found "a"'],
    ['{"a": 1', 7, "expected ',' or '}', found end of input"],
    ['{"a": "x', 8, 'unterminated string'],
    ['{"a": "\\x41"}', 7, 'invalid escape sequence in string'],
    ['{"a": "tab\there"}', 10, 'control character (e.g. a raw newline or tab) in string'],
    ['{"a": 01}', 7, "expected ',' or '}', found \"1\""],
    ['{"a" 1}', 5, 'expected \':\', found "1"'],
    ['{} {}', 3, 'expected end of input, found "{"'],
    ['', 0, 'expected a JSON value, found end of input'],
  ])('reports %j at offset %i', (text, offset, message) => {
    expect(findJsonSyntaxError(text)).toEqual({ offset, message });
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('reports an absurd nesting depth instead of overflowing', () => {
    expect(findJsonSyntaxError('['.repeat(200_000))?.message).toBe('nesting too deep');
  });
});
