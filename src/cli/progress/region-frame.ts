import { eraseRowsAbove, visibleWidth } from './ansi.js';

/**
 * The bytes of one redraw of the live region, written in a single `write` so the terminal never
 * shows a half-drawn frame: erase the `rowsOnScreen` rows of the old region (the cursor sits at
 * column 0 of the line below it), print `logText` where the region was — so it scrolls up with
 * everything above — then the region's `lines`, leaving the cursor below them again.
 */
export function regionFrame(rowsOnScreen: number, logText: string, lines: readonly string[]): string {
  return `${eraseRowsAbove(rowsOnScreen)}${logText}${lines.map((line) => `${line}\n`).join('')}`;
}

/**
 * Rows that `lines`, drawn shorter than the old width, take after the terminal was resized to
 * `columns`. Most terminals (tmux, VTE, iTerm2, kitty, Windows Terminal) re-wrap long lines when
 * the window narrows; counting the wrapped rows erases the whole old region instead of leaving
 * its tails on screen.
 */
export function rowsAfterResize(lines: readonly string[], columns: number): number {
  const width = Math.max(1, columns);
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(visibleWidth(line) / width)), 0);
}
