import { escapeControlsByLine } from '../log/escape-controls.js';
import { maskCredentials } from '../log/mask-credentials.js';

/**
 * What a `--json` option prints: one indented JSON document and a newline. Strings from plugins,
 * the engine or a server may hold characters JSON leaves raw (C1 controls, bidi overrides); they
 * are escaped, which keeps the document's meaning and keeps `cat`-ing it to a terminal harmless.
 * Passwords in URLs are masked.
 */
export function jsonDocument(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  return `${maskCredentials(escapeControlsByLine(JSON.stringify(value, replacer, 2)))}\n`;
}
