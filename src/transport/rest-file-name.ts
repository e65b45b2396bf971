/** Longest result file name accepted, in UTF-8 bytes (a common file-system limit). */
const MAX_NAME_BYTES = 255;

/**
 * Why a file name is not a plain file name, or undefined when it is one. Posted names are refused,
 * never reduced to a base name: `../../x` is an attack or a bug, not a request for `x`. With path
 * separators refused, `..` is only dangerous as the whole name; `a..b` is a plain name (the
 * registry accepts it too).
 */
export function fileNameProblem(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return 'the file part has no file name';
  if (name === '.' || name === '..') return `${JSON.stringify(name)} is not a file name`;
  if (name.includes('/') || name.includes('\\')) return `file name ${JSON.stringify(name)} contains a path separator`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `file name ${JSON.stringify(name)} contains a control character`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `file name is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}
