import { visibleWidth } from './progress/ansi.js';

/** Left-aligned columns separated by two spaces; the first row is the header. Cells may be coloured. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleWidth(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
