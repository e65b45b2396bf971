import { visit } from 'yaml';
import type { Problem } from '../errors.js';
import type { SourceDocument } from './source-document.js';

/**
 * How often a document may repeat data through aliases (`*name`), weighted by the aliases inside
 * what they repeat: the `yaml` library's own measure and its default. A registry repeating one
 * `env:` block for every plugin stays far below it; an "alias bomb" (a few lines that expand to
 * billions of values) exceeds it at once.
 */
export const MAX_ALIAS_COUNT = 100;

export type SourceValue = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problems: readonly Problem[] };

/** The document as plain JS values, or a located problem when its aliases expand too far. */
export function sourceValue(source: SourceDocument): SourceValue {
  try {
    return { ok: true, value: source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    // The library throws a ReferenceError ("Excessive alias count…") and nothing else for aliases.
    if (!(error instanceof ReferenceError)) throw error;
    const message =
      `invalid YAML: aliases (*name) repeat data more than ${MAX_ALIAS_COUNT} times (counting aliases inside repeated data), ` +
      'which is how "alias bombs" exhaust memory; write the values out or use fewer aliases';
    return { ok: false, problems: [{ file: source.file, ...source.lineCounter.linePos(firstAliasOffset(source)), message }] };
  }
}

function firstAliasOffset(source: SourceDocument): number {
  let offset = 0;
  visit(source.doc, {
    Alias(_, alias) {
      offset = alias.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}
