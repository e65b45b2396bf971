import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document, type YAMLWarning } from 'yaml';
import type { Problem } from '../errors.js';
import { findJsonSyntaxError } from './json-syntax.js';

export type SourceFormat = 'json' | 'yaml';

/** A parsed YAML or JSON file that still knows the position of every node. */
export interface SourceDocument {
  readonly file: string;
  readonly format: SourceFormat;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

export type SourceParseResult =
  | { readonly ok: true; readonly source: SourceDocument }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * `.json` → JSON, `.yaml`/`.yml` → YAML; any other name: JSON when the text is JSON, else YAML.
 * (The original picked the parser by a substring of the file name and failed on `.yaml`.)
 */
export function detectFormat(file: string, text: string): SourceFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return findJsonSyntaxError(text) === undefined ? 'json' : 'yaml';
}

/**
 * Parses YAML or JSON text with the `yaml` library — JSON is YAML, so both keep node positions.
 * A JSON file must still be strict JSON: YAML-only syntax in it is reported as a JSON error.
 * Everything the parser only warns about (an unknown tag such as `!!js/function`, which would
 * otherwise silently become a string) is a problem too: pmt's files are plain data.
 */
export function parseSourceDocument(text: string, file: string): SourceParseResult {
  const format = detectFormat(file, text);
  const kind = format === 'json' ? 'JSON' : 'YAML';
  const lineCounter = new LineCounter();
  // uniqueKeys off: the library compares every key with every other one (quadratic on large
  // mappings); duplicateKeys() below does the same check in one pass. resolveKnownTags off: only the
  // core schema's tags (!!str, !!int, !!map…), no !!binary or !!set turning values into Buffers and Sets.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, resolveKnownTags: false });
  const at = (offset: number, message: string): Problem => ({ file, ...lineCounter.linePos(offset), message });

  if (format === 'json') {
    const jsonError = findJsonSyntaxError(text);
    if (jsonError !== undefined) return { ok: false, problems: [at(jsonError.offset, `invalid JSON: ${jsonError.message}`)] };
  }
  // Only the first syntax error: the parser's later ones are mostly consequences of it.
  const [first] = doc.errors;
  // The library turns a stack overflow on absurd nesting into a syntax error; say what it means.
  const message = first?.message === 'Maximum call stack size exceeded' ? 'nesting too deep' : first?.message;
  if (first !== undefined) return { ok: false, problems: [at(first.pos[0], `invalid ${kind}: ${message}`)] };
  const problems = [
    ...doc.warnings.map((warning) => at(warning.pos[0], `invalid ${kind}: ${warningMessage(warning, text)}`)),
    ...duplicateKeys(doc).map(({ offset, key, firstOffset }) =>
      at(offset, `invalid ${kind}: duplicate key ${JSON.stringify(key)} (first at line ${lineCounter.linePos(firstOffset).line})`),
    ),
  ];
  if (problems.length > 0) return { ok: false, problems };
  if (doc.contents === null) return { ok: false, problems: [{ file, message: 'the file is empty' }] };
  return { ok: true, source: { file, format, doc, lineCounter } };
}

function warningMessage(warning: YAMLWarning, text: string): string {
  if (warning.code !== 'TAG_RESOLVE_FAILED') return warning.message;
  const tag = text.slice(warning.pos[0], warning.pos[1]);
  return `unsupported tag ${JSON.stringify(tag)}: only plain strings, numbers, true/false, lists and mappings are read; remove the tag`;
}

interface DuplicateKey {
  readonly key: string;
  readonly offset: number;
  readonly firstOffset: number;
}

/** Keys given twice in one mapping (scalar keys compared by value, as the `yaml` library does), in one pass. */
function duplicateKeys(doc: Document.Parsed): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Map<unknown, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const offset = pair.key.range?.[0] ?? 0;
        const firstOffset = seen.get(pair.key.value);
        if (firstOffset === undefined) seen.set(pair.key.value, offset);
        else found.push({ key: String(pair.key.value), offset, firstOffset });
      }
    },
  });
  return found;
}
