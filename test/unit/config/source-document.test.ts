import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/errors.js';
import { detectFormat, parseSourceDocument } from '../../../src/config/source-document.js';
import { displayPath, problemAt } from '../../../src/config/source-location.js';

function problems(text: string, file: string): string[] {
  const result = parseSourceDocument(text, file);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems.map(formatProblem);
}

function parsed(text: string, file: string) {
  const result = parseSourceDocument(text, file);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.source;
}

describe('detectFormat', () => {
  it('goes by the extension first, whatever the content', () => {
    expect(detectFormat('plugins.json', 'a: 1')).toBe('json');
    expect(detectFormat('plugins.JSON', '{}')).toBe('json');
    expect(detectFormat('plugins.yaml', '{"a": 1}')).toBe('yaml');
    expect(detectFormat('plugins.yml', '{"a": 1}')).toBe('yaml');
  });

  it('sniffs the content for other names: JSON if it is JSON, else YAML', () => {
    expect(detectFormat('registry', '{"a": 1}')).toBe('json');
    expect(detectFormat('registry.conf', ' [1]\n')).toBe('json');
    expect(detectFormat('registry', 'a: 1')).toBe('yaml');
    expect(detectFormat('json.registry.txt', '{a: 1}')).toBe('yaml');
  });
});

describe('parseSourceDocument', () => {
  it('reports a YAML syntax error with its position', () => {
    expect(problems('a: 1\nb: [1, 2\nc: 3\n', 'broken.yaml')).toEqual([
      'broken.yaml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(problems('plugins:\n  - name: x\n  name: y\n   cmd: z\n', 'p.yml')).toEqual([
      // Only the first error: the parser's later ones are consequences of it.
      'p.yml:3:1: invalid YAML: All mapping items must start at the same column',
    ]);
  });

  it('reports duplicate keys, which YAML and JSON parsers would otherwise resolve silently', () => {
    expect(problems('a: 1\nb: 2\na: 3\n', 'x.yaml')).toEqual(['x.yaml:3:1: invalid YAML: duplicate key "a" (first at line 1)']);
    expect(problems('{"a": 1,\n "a": 2}', 'x.json')).toEqual(['x.json:2:2: invalid JSON: duplicate key "a" (first at line 1)']);
    // Scalar keys are compared by value, as the yaml library does: 1 and "1" are different keys.
    expect(parseSourceDocument('1: a\n"1": b\nx: {k: 1}\ny: {k: 2}\n', 'x.yaml').ok).toBe(true);
  });

  it('reports tags pmt does not read (they would silently become strings, Buffers or Sets), located', () => {
    expect(problems('a: !!js/function "function(){}"\nb: !foo x\nc: !!binary aGk=\n', 'x.yaml')).toEqual([
      'x.yaml:1:4: invalid YAML: unsupported tag "!!js/function": only plain strings, numbers, true/false, lists and mappings are read; remove the tag',
      'x.yaml:2:4: invalid YAML: unsupported tag "!foo": only plain strings, numbers, true/false, lists and mappings are read; remove the tag',
      'x.yaml:3:4: invalid YAML: unsupported tag "!!binary": only plain strings, numbers, true/false, lists and mappings are read; remove the tag',
    ]);
    expect(parseSourceDocument('a: !!str 1\nb: !!int "2"\n', 'x.yaml').ok).toBe(true);
  });

  it('calls absurd nesting what it is', () => {
    expect(problems(`a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'deep.yaml')[0]).toMatch(/^deep\.yaml:1:\d+: invalid YAML: nesting too deep$/);
  });

  it('finds duplicates among 40 000 keys in one pass (the library compares every key with every other)', () => {
    const text = `${Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`).join('\n')}\nk7: 2\n`;
    expect(problems(text, 'big.yaml')).toEqual(['big.yaml:40001:1: invalid YAML: duplicate key "k7" (first at line 8)']);
  });

  it('holds a .json file to strict JSON even where YAML would accept it', () => {
    expect(problems('{\n  "a": 1,\n  "b": 2,\n}\n', 'config.json')).toEqual(["config.json:4:1: invalid JSON: trailing comma before '}'"]);
    expect(problems('{\n  a: 1\n}', 'config.json')).toEqual(['config.json:2:3: invalid JSON: expected a double-quoted string, found "a"']);
    expect(problems('a: 1\n', 'config.json')).toEqual(['config.json:1:1: invalid JSON: expected a JSON value, found "a"']);
    // The same texts are fine as YAML.
    expect(parseSourceDocument('{\n  "a": 1,\n  "b": 2,\n}\n', 'config.yaml').ok).toBe(true);
  });

  it('reports an empty file or one holding only comments', () => {
    expect(problems('', 'empty.yaml')).toEqual(['empty.yaml: the file is empty']);
    expect(problems('# nothing here\n', 'empty.yaml')).toEqual(['empty.yaml: the file is empty']);
    expect(problems('', 'empty.json')).toEqual(['empty.json:1:1: invalid JSON: expected a JSON value, found end of input']);
  });

  it('reports a second YAML document', () => {
    expect(problems('a: 1\n---\nb: 2\n', 'two.yaml')).toEqual([
      'two.yaml:2:1: invalid YAML: Source contains multiple documents; please use YAML.parseAllDocuments()',
    ]);
  });

  it('keeps positions of keys and values, in YAML and in JSON', () => {
    const yaml = parsed('plugins:\n  - name: a\n    results: [x, y]\n', 'p.yaml');
    expect(problemAt(yaml, ['plugins', 0, 'results', 1], 'm')).toEqual({ file: 'p.yaml', line: 3, col: 18, message: 'm' });
    expect(problemAt(yaml, ['plugins', 0, 'results'], 'm', 'key')).toMatchObject({ line: 3, col: 5 });
    expect(displayPath(yaml, ['plugins', 0, 'results', 1])).toBe('plugins[0].results[1]');

    const json = parsed('{"plugins": [\n  {"name": "a", "results": ["x", "y"]}\n]}', 'p.json');
    expect(problemAt(json, ['plugins', 0, 'results', 1], 'm')).toMatchObject({ line: 2, col: 34 });
    expect(problemAt(json, ['plugins', 0, 'results'], 'm', 'key')).toMatchObject({ line: 2, col: 17 });
  });

  it('points a missing path at its deepest existing part', () => {
    const yaml = parsed('top: 1\nplugins:\n  - name: a\n', 'p.yaml');
    expect(problemAt(yaml, ['plugins', 0, 'cmd'], 'm')).toMatchObject({ line: 3, col: 5 });
    expect(problemAt(yaml, ['plugins', 3], 'm')).toMatchObject({ line: 3, col: 3 });
    expect(displayPath(yaml, ['plugins', 0, 'cmd'])).toBe('plugins[0]');
  });
});
