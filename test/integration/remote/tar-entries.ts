import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';

export interface TarEntry {
  readonly type: string;
  /** Permission bits only, as an octal string: '444', '555', '777'. */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly linkname: string | undefined;
  /** Content as text for files up to 64 KiB, else its sha256. */
  readonly content: string | undefined;
}

/** Every entry of a tar stream by name, contents included. */
export async function tarEntries(stream: Readable): Promise<Record<string, TarEntry>> {
  const entries: Record<string, TarEntry> = {};
  const tar = extract();
  // pipeline rejects with the source's error; the (streamx) extract and entry re-emitting it is not news.
  tar.on('error', () => undefined);
  tar.on('entry', (header, body, next) => {
    body.on('error', () => undefined);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (data) => {
      const chunk = data as Buffer;
      hash.update(chunk);
      size += chunk.length;
      if (size <= 65536) chunks.push(chunk);
    });
    body.on('end', () => {
      entries[header.name.replace(/\/$/, '')] = {
        type: header.type,
        mode: (header.mode & 0o7777).toString(8),
        uid: header.uid,
        gid: header.gid,
        mtime: header.mtime.getTime(),
        linkname: header.linkname || undefined,
        content: header.type !== 'file' ? undefined : size <= 65536 ? Buffer.concat(chunks).toString('utf8') : `sha256:${hash.digest('hex')}`,
      };
      next();
    });
  });
  await pipeline(stream, tar);
  return entries;
}
