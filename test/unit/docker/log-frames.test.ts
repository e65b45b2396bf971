import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demuxFrames, type LogFrame } from '../../../src/docker/log-frames.js';

function frame(type: 1 | 2, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function collect(chunks: Buffer[]): Promise<LogFrame[]> {
  const out: LogFrame[] = [];
  for await (const f of demuxFrames(Readable.from(chunks))) out.push(f);
  return out;
}

/** Joins consecutive pieces of the same stream, as a reader of the text sees them. */
function joined(frames: LogFrame[]): LogFrame[] {
  const out: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  for (const f of frames) {
    const last = out.at(-1);
    if (last && last.stream === f.stream) last.text += f.text;
    else out.push({ ...f });
  }
  return out;
}

describe('demuxFrames', () => {
  it('splits stdout and stderr frames in order', async () => {
    const bytes = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, 'out two\n')]);
    expect(await collect([bytes])).toEqual([
      { stream: 'stdout', text: 'out one\n' },
      { stream: 'stderr', text: 'err one\n' },
      { stream: 'stdout', text: 'out two\n' },
    ]);
  });

  it('reassembles headers and payloads cut at every byte, and a UTF-8 character split across chunks', async () => {
    const bytes = Buffer.concat([frame(1, 'héllo ✓\n'), frame(2, 'ünïcode\n'), frame(1, '')]);
    const oneByteChunks = [...bytes].map((b) => Buffer.from([b]));
    expect(joined(await collect(oneByteChunks))).toEqual([
      { stream: 'stdout', text: 'héllo ✓\n' },
      { stream: 'stderr', text: 'ünïcode\n' },
    ]);
  });

  it('passes a large frame on in pieces as they come instead of holding it whole', async () => {
    const big = Buffer.alloc(3 * 65536, 'a');
    const bytes = frame(1, big);
    const chunks = [bytes.subarray(0, 65536), bytes.subarray(65536, 131072), bytes.subarray(131072)];
    const frames = await collect(chunks);
    expect(frames.length).toBe(3);
    expect(Math.max(...frames.map((f) => f.text.length))).toBeLessThanOrEqual(65536 + 8);
    expect(frames.map((f) => f.text).join('').length).toBe(big.length);
  });
});
