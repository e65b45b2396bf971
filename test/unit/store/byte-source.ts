import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** Deterministic pseudo-random bytes: the same (size, seed) always gives the same content. */
export function patternChunk(index: number, length: number, seed: number): Buffer {
  const chunk = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761 + index * 40503 + 1) >>> 0;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    if (i + 4 <= length) chunk.writeUInt32LE(x, i);
    else for (let j = i; j < length; j += 1) chunk[j] = (x >>> (8 * (j - i))) & 0xff;
  }
  return chunk;
}

/**
 * A stream of `size` bytes in `chunkSize` pieces, produced lazily (never all in memory), with the
 * sha256 the consumer should find. `onChunk` runs before each chunk is produced.
 */
export function byteSource(size: number, options: { chunkSize?: number; seed?: number; onChunk?: (index: number) => void } = {}): { stream: Readable; sha256: () => string } {
  const { chunkSize = 64 * 1024, seed = 1, onChunk } = options;
  const hash = createHash('sha256');
  let produced = 0;
  let index = 0;
  const stream = new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      onChunk?.(index);
      const chunk = patternChunk(index, Math.min(chunkSize, size - produced), seed);
      index += 1;
      produced += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export function bufferSource(bytes: Buffer | string, chunkSize = 16 * 1024): Readable {
  const buffer = Buffer.from(bytes);
  const pieces: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += chunkSize) pieces.push(buffer.subarray(at, at + chunkSize));
  return Readable.from(pieces, { objectMode: false });
}
