import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
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
 */
export function parseSourceDocument(text: string, file: string): SourceParseResult {
  const format = detectFormat(file, text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): Problem => ({ file, ...lineCounter.linePos(offset), message });

  if (format === 'json') {
    const jsonError = findJsonSyntaxError(text);
    if (jsonError !== undefined) return { ok: false, problems: [at(jsonError.offset, `invalid JSON: ${jsonError.message}`)] };
  }
  // Only the first syntax error: the parser's later ones are mostly consequences of it.
  const [first] = doc.errors;
  if (first !== undefined) return { ok: false, problems: [at(first.pos[0], `invalid ${format === 'json' ? 'JSON' : 'YAML'}: ${first.message}`)] };
  if (doc.contents === null) return { ok: false, problems: [{ file, message: 'the file is empty' }] };
  return { ok: true, source: { file, format, doc, lineCounter } };
}
