import { Writable } from 'node:stream';

/**
 * A stand-in for a terminal's stderr: records every write and replays them on a grid that
 * understands what LiveProgress emits (\r, \n, cursor up, erase below, SGR colours), so tests
 * can assert both the exact bytes and what a person would see.
 */
export class FakeTerminal extends Writable {
  readonly writes: string[] = [];
  columns: number;
  rows: number | undefined;

  constructor(columns = 80, rows?: number) {
    super({
      decodeStrings: false,
      write: (chunk: string, _encoding, done) => {
        this.writes.push(chunk);
        done();
      },
    });
    this.columns = columns;
    this.rows = rows;
  }

  get output(): string {
    return this.writes.join('');
  }

  resize(columns: number): void {
    this.columns = columns;
    this.emit('resize');
  }

  /** The screen's text lines after all writes, the cursor's (empty) line excluded. */
  screen(): string[] {
    const lines: string[] = [''];
    let row = 0;
    let col = 0;
    const pattern = /\x1b\[(\d*)([A-Za-z])|[\s\S]/gu;
    for (const match of this.output.matchAll(pattern)) {
      const [token, count, command] = match;
      if (command === 'A') row = Math.max(0, row - Number(count || 1));
      else if (command === 'J') {
        lines.length = row + 1;
        lines[row] = (lines[row] ?? '').slice(0, col);
      } else if (command === 'm') continue;
      else if (command !== undefined) throw new Error(`unexpected escape ${JSON.stringify(token)}`);
      else if (token === '\r') col = 0;
      else if (token === '\n') {
        row += 1;
        col = 0; // the tty's ONLCR turns \n into \r\n
        lines[row] ??= '';
      } else {
        const line = (lines[row] ?? '').padEnd(col);
        lines[row] = line.slice(0, col) + token + line.slice(col + 1);
        col += 1;
      }
    }
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}
