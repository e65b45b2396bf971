import { paint, type Color } from './ansi.js';

export interface Segment {
  readonly text: string;
  readonly color?: Color | undefined;
}

/**
 * Joins `segments` into one line of at most `width` columns: trailing blanks dropped, an overlong
 * line cut with `…`. Cutting happens on the plain text and colour is applied to what is left, so
 * an escape sequence is never cut in half.
 */
export function fitSegments(segments: readonly Segment[], width: number, color: boolean): string {
  const pieces = trimTrailingBlanks(segments.map((s) => ({ chars: [...s.text], color: s.color })));
  const total = pieces.reduce((sum, p) => sum + p.chars.length, 0);
  if (width < 1) return '';
  let budget = total > width ? width - 1 : width;
  let line = '';
  for (const piece of pieces) {
    const kept = piece.chars.slice(0, budget);
    budget -= kept.length;
    line += paint(kept.join(''), piece.color, color);
    if (budget === 0) break;
  }
  return total > width ? `${line}…` : line;
}

function trimTrailingBlanks(pieces: { chars: string[]; color: Color | undefined }[]): typeof pieces {
  const out = [...pieces];
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    const end = last.chars.findLastIndex((c) => c !== ' ') + 1;
    if (end > 0) {
      out[out.length - 1] = { ...last, chars: last.chars.slice(0, end) };
      break;
    }
    out.pop();
  }
  return out;
}
