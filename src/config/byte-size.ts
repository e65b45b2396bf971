/** A parsed size: bytes, or why the text is not a size. */
export type ByteSize = { readonly bytes: number } | { readonly error: string };

// Decimal units are powers of 1000 and binary units powers of 1024, as in IEC 80000-13.
const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;
const EXAMPLES = 'e.g. 1048576, "64MiB", "1GiB" or "500kB"';

/** Parses a byte count: a non-negative integer, or a string like `64MiB`, `1.5 GiB`, `500kB`, `1024`. */
export function parseByteSize(value: string | number): ByteSize {
  if (typeof value === 'number') {
    if (value < 0) return { error: `${value} is negative` };
    return Number.isSafeInteger(value) ? { bytes: value } : { error: `${value} is not a whole number of bytes` };
  }
  const match = SIZE.exec(value.trim());
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined) return { error: `${JSON.stringify(value)} is not a size (${EXAMPLES})` };
  const amount = Number(match[1]);
  if (unit === 1 && !Number.isInteger(amount)) return { error: `${JSON.stringify(value)} is not a whole number of bytes` };
  // Rounding absorbs float noise such as 1.1 * 1000 = 1100.0000000000002.
  const bytes = Math.round(amount * unit);
  if (!Number.isSafeInteger(bytes)) return { error: `${JSON.stringify(value)} is too large` };
  return { bytes };
}
