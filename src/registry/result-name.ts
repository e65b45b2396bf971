import { escapeControls } from '../log/escape-controls.js';

/**
 * The one rule for result file names. `pmt validate` (and every scan, which loads the registry the
 * same way), the REST endpoint, archive copy, the result cache and the local save all call it, so a
 * name is never accepted on one path and refused on another.
 *
 * A result name is looked up as `/result/<name>` in the container, posted by curl as
 * `-F "result=@/result/<name>"`, travels as a multipart file name or a tar entry name, and is saved
 * on the host as `<results dir>/<plugin>_<name>`. So it must be a plain file name that none of these
 * gives a meaning to and that a terminal shows as it is.
 */

/** Longest saved file name `<plugin>_<result>`, in UTF-8 bytes: the limit of common file systems. */
export const MAX_SAVED_NAME_BYTES = 255;

/**
 * Characters no result name may contain: control characters (C0, DEL, C1), Unicode format
 * characters (bidi overrides such as U+202E, which make `txt.exe` show as `exe.txt`, zero-width
 * characters, BOM, soft hyphen), line and paragraph separators, and unpaired surrogates (not
 * encodable in UTF-8).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * Why `name` cannot be a result file name, or undefined when it can. Every reason is one phrase
 * that reads after the quoted name, e.g. `"a,b.txt" must not contain ","`.
 */
export function resultNameProblem(name: string): string | undefined {
  if (name === '') return 'a result file name must not be empty';
  const shown = showName(name);
  if (name === '.' || name === '..') return `${shown} is not a file name`;
  if (name.includes('/') || name.includes('\\')) return `${shown} must be a plain file name, not a path`;
  const invisible = INVISIBLE.exec(name);
  if (invisible) return `${shown} must not contain control or invisible formatting characters (found ${codePoint(invisible[0])})`;
  // curl's -F syntax (the REST transport, and plugins posting themselves) gives these a meaning:
  // `;type=`/`;filename=` attributes, `"` quoting, `,` separating several files.
  const curlSpecial = /[;",]/.exec(name);
  if (curlSpecial) return `${shown} must not contain ${JSON.stringify(curlSpecial[0])} (curl -F gives it a meaning)`;
  if (Buffer.byteLength(name) > MAX_SAVED_NAME_BYTES) return `${shown} is longer than ${MAX_SAVED_NAME_BYTES} bytes`;
  return undefined;
}

/** The name a result is saved under in the results directory: `<plugin>_<result>`, as the original client did. */
export function savedResultName(plugin: string, result: string): string {
  return `${plugin}_${result}`;
}

/** Why `<plugin>_<result>` cannot be saved (too long for the file system), or undefined. */
export function savedNameProblem(plugin: string, result: string): string | undefined {
  const saved = savedResultName(plugin, result);
  const bytes = Buffer.byteLength(saved);
  if (bytes <= MAX_SAVED_NAME_BYTES) return undefined;
  return `is saved as "${plugin}_…" (${bytes} bytes), longer than the ${MAX_SAVED_NAME_BYTES} bytes a file name may have; shorten the result or plugin name`;
}

/**
 * What two saved names are compared by: one results directory may be on a case-insensitive file
 * system (macOS, or an artifact unpacked on Windows), which also may not tell NFC from NFD apart.
 */
export function savedNameKey(plugin: string, result: string): string {
  return savedResultName(plugin, result).normalize('NFC').toLowerCase();
}

/** A name quoted for a message, with anything invisible escaped (the one escaping rule, escapeControls). */
export function showName(name: string): string {
  return escapeControls(JSON.stringify(name));
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
