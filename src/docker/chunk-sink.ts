import { Writable } from 'node:stream';

/**
 * A writable that hands every chunk to `onChunk` as it is written, not a tick later: a reader of
 * a demultiplexed engine stream has then seen all output by the time the raw stream ends.
 */
export function chunkSink(onChunk: (chunk: Buffer) => void): Writable {
  return new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      onChunk(chunk);
      done();
    },
  });
}
