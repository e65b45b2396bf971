/** Most output a command may leave in memory per stream; the rest is counted, not kept. */
export const COMMAND_OUTPUT_LIMIT_BYTES = 8 * 1024 * 1024;

/** Collects a stream's bytes up to a limit and says how much was left out. */
export class BoundedText {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limitBytes: number) {}

  append(chunk: Buffer): void {
    const room = this.limitBytes - this.kept;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
    this.dropped += chunk.length - part.length;
  }

  /** The kept bytes, as they came. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.kept);
  }

  text(): string {
    const text = this.bytes().toString('utf8');
    return this.dropped === 0 ? text : `${text}\n[pmt: ${this.dropped} more bytes of output not kept]\n`;
  }
}
