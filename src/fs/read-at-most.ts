import { open } from 'node:fs/promises';

/**
 * A file's bytes, or undefined when it holds more than `maxBytes` — decided without reading more
 * than `maxBytes + 1` of them (a planted huge file or an endless pipe costs neither time nor
 * memory). A regular file larger than the limit is not read at all; one that grows after the stat
 * reads as too large.
 */
export async function readAtMost(path: string, maxBytes: number): Promise<Buffer | undefined> {
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    if (stats.isFile() && stats.size > maxBytes) return undefined;
    const buffer = Buffer.allocUnsafe((stats.isFile() ? stats.size : maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return length > maxBytes ? undefined : buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
