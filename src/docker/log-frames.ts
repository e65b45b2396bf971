import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** One piece of a multiplexed engine stream. */
export interface LogFrame {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

const HEADER_BYTES = 8;

/**
 * Splits the engine's multiplexed log/attach stream (Tty false) into its frames as they arrive:
 * each frame is an 8-byte header — stream type (1 stdout, 2 stderr), three zero bytes, the payload's
 * length as a big-endian uint32 — then the payload. Only the current frame is held in memory, and a
 * large frame is passed on in pieces as its bytes come (dockerode's demuxStream does the same into
 * two writables; an async iterable keeps which stream each piece came from, in order). UTF-8
 * characters split between chunks are put back together per stream.
 */
export async function* demuxFrames(source: AsyncIterable<Buffer | string> | Readable): AsyncGenerator<LogFrame> {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  let header = Buffer.alloc(0);
  let stream: 'stdout' | 'stderr' = 'stdout';
  let left = 0;
  for await (const piece of source as AsyncIterable<Buffer | string>) {
    let chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    while (chunk.length > 0) {
      if (left === 0) {
        const need = HEADER_BYTES - header.length;
        header = Buffer.concat([header, chunk.subarray(0, need)]);
        chunk = chunk.subarray(need);
        if (header.length < HEADER_BYTES) break;
        // 0 (stdin) never comes from the engine's output; treat anything but 2 as stdout.
        stream = header[0] === 2 ? 'stderr' : 'stdout';
        left = header.readUInt32BE(4);
        header = Buffer.alloc(0);
        continue;
      }
      const payload = chunk.subarray(0, left);
      chunk = chunk.subarray(payload.length);
      left -= payload.length;
      const text = decoders[stream].write(payload);
      if (text) yield { stream, text };
    }
  }
  for (const name of ['stdout', 'stderr'] as const) {
    const rest = decoders[name].end();
    if (rest) yield { stream: name, text: rest };
  }
}
