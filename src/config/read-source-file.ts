import { isUtf8 } from 'node:buffer';
import type { Problem } from '../errors.js';
import { readAtMost } from '../fs/read-at-most.js';
import { formatBytes } from '../store/format-bytes.js';
import { readFailure } from './read-failure.js';

/**
 * Largest registry or config file pmt reads. The bundled registry is a few KiB; a thousand plugins
 * fit in a fraction of this. Checked before parsing, so a huge file costs neither time nor memory.
 */
export const MAX_SOURCE_FILE_BYTES = 2 ** 20;

export type SourceText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: Problem; readonly code?: string };

/**
 * Reads a registry or config file as strict UTF-8: at most MAX_SOURCE_FILE_BYTES (pipes and
 * special files included: never more than that is read), and invalid UTF-8 is a located problem
 * instead of silently replaced characters. `what` names the file in messages ("registry file").
 */
export async function readSourceFile(file: string, what: string): Promise<SourceText> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readAtMost(file, MAX_SOURCE_FILE_BYTES);
  } catch (error) {
    return { ok: false, problem: { file, message: `cannot read the ${what}: ${readFailure(error)}` }, code: (error as NodeJS.ErrnoException).code };
  }
  if (bytes === undefined) {
    return { ok: false, problem: { file, message: `the ${what} is larger than ${formatBytes(MAX_SOURCE_FILE_BYTES)}, the most pmt reads; is it the right file?` } };
  }
  return decodeUtf8(bytes, file);
}

/** The text of `bytes`, or where the first byte sequence that is not UTF-8 starts. */
export function decodeUtf8(bytes: Buffer, file: string): SourceText {
  const text = bytes.toString('utf8');
  if (isUtf8(bytes)) return { ok: true, text };
  // The text up to the first replacement character that is not a real U+FFFD in the file decodes
  // faithfully, so its length in UTF-8 is the byte offset of the bad sequence.
  for (let index = text.indexOf('\uFFFD'); index !== -1; index = text.indexOf('\uFFFD', index + 1)) {
    const prefix = text.slice(0, index);
    const offset = Buffer.byteLength(prefix);
    if (bytes.subarray(offset, offset + 3).equals(REPLACEMENT_CHARACTER)) continue;
    const line = prefix.split('\n').length;
    const col = index - prefix.lastIndexOf('\n');
    const message = `invalid UTF-8: byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at byte offset ${offset} is not valid UTF-8; save the file as UTF-8`;
    return { ok: false, problem: { file, line, col, message } };
  }
  return { ok: false, problem: { file, message: 'invalid UTF-8; save the file as UTF-8' } };
}

const REPLACEMENT_CHARACTER = Buffer.from('\uFFFD', 'utf8');
