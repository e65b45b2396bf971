/** A parsed duration: milliseconds, or why the text is not a duration. */
export type Duration = { readonly ms: number } | { readonly error: string };

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
const EXAMPLES = 'e.g. 90, "90s", "10m" or "1h30m"';

/** Durations are counted in whole milliseconds: Node's timers have no finer resolution. */
export const MIN_DURATION_MS = 1;
/**
 * 100 years: "practically no limit" (users write 720h or 99999h for it) while staying exact in a
 * number. pmt's deadlines re-arm Node's timers, which alone would fire at once beyond ~24.8 days.
 */
export const MAX_DURATION_MS = 876_000 * 3_600_000;

/**
 * Parses a human duration: a number of seconds, or `500ms`, `90s`, `10m`, `1h30m`. It must be a
 * whole number of milliseconds from 1ms to 876000h (100 years).
 */
export function parseDuration(value: string | number): Duration {
  if (typeof value === 'number') {
    return value > 0 && Number.isFinite(value) ? checked(value * 1000, String(value)) : { error: `${value} is not a positive number of seconds` };
  }
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text));
  let ms = 0;
  let end = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(text); match !== null; match = PART.exec(text)) {
    ms += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    end = PART.lastIndex;
  }
  if (text === '' || end !== text.length) return { error: `${JSON.stringify(value)} is not a duration (${EXAMPLES})` };
  if (ms <= 0) return { error: `${JSON.stringify(value)} is not a positive duration` };
  return checked(ms, JSON.stringify(value));
}

function checked(ms: number, shown: string): Duration {
  // Rounding absorbs float noise such as 1.1 * 1000 = 1100.0000000000002; a real fraction stays.
  const whole = Math.round(ms);
  if (ms < MIN_DURATION_MS) return { error: `${shown} is shorter than ${MIN_DURATION_MS}ms` };
  if (Math.abs(ms - whole) > 1e-6 * ms) return { error: `${shown} is not a whole number of milliseconds` };
  if (whole > MAX_DURATION_MS) return { error: `${shown} is longer than ${MAX_DURATION_MS / 3_600_000}h (100 years), the longest duration pmt accepts` };
  return { ms: whole };
}

/** `1.5s`, `2m05s`, `1h02m` — short and exact enough for messages. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return m === 0 ? `${h}h` : `${h}h${String(m).padStart(2, '0')}m`;
  return s === 0 ? `${m}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
