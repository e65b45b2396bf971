import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { UploadItem, Sleep } from '../../../src/sinks/pmt-server.js';

/** An item whose bytes come from memory, in several chunks so streaming is exercised. */
export function bufferItem(fileName: string, bytes: Buffer, importer = 'spdx', plugin = 'test-plugin'): UploadItem {
  return {
    plugin,
    importer,
    fileName,
    size: bytes.length,
    open: () => Readable.from(chunks(bytes, 1000)),
  };
}

/** An item read from a file on disk, the way the results sink hands them over. */
export async function fileItem(path: string, fileName: string, importer = 'spdx'): Promise<UploadItem> {
  const { size } = await stat(path);
  return { plugin: 'test-plugin', importer, fileName, size, open: () => createReadStream(path) };
}

export function allByteValues(): Buffer {
  return Buffer.from(Array.from({ length: 256 }, (_, i) => i));
}

/** A sleep that returns at once and remembers what was asked; rejects like the real one on abort. */
export function recordingSleep(): Sleep & { calls: number[] } {
  const calls: number[] = [];
  const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    calls.push(ms);
    if (signal?.aborted === true) throw signal.reason;
  };
  return Object.assign(sleep, { calls });
}

function* chunks(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
