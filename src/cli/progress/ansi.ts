/** The few ANSI escape sequences pmt writes: SGR colours and the cursor moves of the live region. */

export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'dim';

// Each colour is closed by its own reset code, so a coloured piece never ends another one's colour.
const SGR: Readonly<Record<Color, readonly [number, number]>> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
  dim: [2, 22],
};

const SGR_PATTERN = /\x1b\[[0-9;]*m/g;

/** `text` in `color` when colours are on; unchanged otherwise. */
export function paint(text: string, color: Color | undefined, enabled: boolean): string {
  if (!enabled || color === undefined || text === '') return text;
  const [open, close] = SGR[color];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}

/**
 * Columns `text` takes on a terminal: code points without colour codes. East Asian wide characters
 * count as one; plugin names and statuses are ASCII.
 */
export function visibleWidth(text: string): number {
  return [...text.replace(SGR_PATTERN, '')].length;
}

/**
 * From column 0 of the line below a region of `rows` lines: go to the region's first line and erase
 * from there to the end of the screen.
 */
export function eraseRowsAbove(rows: number): string {
  return rows > 0 ? `\r\x1b[${rows}A\x1b[J` : '';
}
