import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../fs/make-dirs.js';

/**
 * What the previous digest of an input learnt, the way git's index does: per file, its stat data
 * (device, inode, size, mtime and ctime in ns, mode, owner) and the sha256 of its content. A file
 * whose stat data is unchanged is not read again. Any write, chmod, chown or rename changes the ctime,
 * so stale content is never reused; a file changed in the moment it was hashed is not remembered
 * (see RACY_NS) and is read again next time.
 */
export class StatCache {
  readonly #previous: ReadonlyMap<string, Remembered>;
  readonly #next = new Map<string, Remembered>();
  /** Files not remembered this time (changed, new, racy) or reused ones: whether saving is worth it. */
  #changed = false;

  private constructor(previous: ReadonlyMap<string, Remembered>) {
    this.#previous = previous;
  }

  /** An empty cache: every file is read. */
  static empty(): StatCache {
    return new StatCache(new Map());
  }

  /** The cache stored at `path`; empty when it is missing, damaged or larger than `maxBytes`. */
  static load(path: string, maxBytes = MAX_FILE_BYTES): StatCache {
    return new StatCache(parse(readBounded(path, maxBytes)));
  }

  /** The sha256 remembered for `rel` when its stat data is still `stat`. */
  reuse(rel: string, stat: string): string | undefined {
    const known = this.#previous.get(rel);
    if (known === undefined || known.stat !== stat) return undefined;
    this.#next.set(rel, known);
    return known.sha256;
  }

  /** Remembers a freshly hashed file, unless it changed too recently to trust its stat data. */
  remember(rel: string, stat: string, sha256: string, racy: boolean): void {
    this.#changed = true;
    if (!racy) this.#next.set(rel, { stat, sha256 });
  }

  /** True when the next digest would learn something from saving (files added, changed or gone). */
  get changed(): boolean {
    return this.#changed || this.#next.size !== this.#previous.size;
  }

  /** Writes what this digest learnt to `path` (a temp file renamed into place: readers see all or nothing). */
  async save(path: string): Promise<void> {
    const parts: string[] = [HEADER];
    for (const [rel, { stat, sha256 }] of this.#next) parts.push(rel, stat, sha256);
    const dir = join(path, '..');
    await makeDirs(dir, 0o700);
    const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, `${parts.join('\0')}\0`, { flag: 'wx', mode: 0o600 });
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
  }
}

interface Remembered {
  readonly stat: string;
  readonly sha256: string;
}

const HEADER = 'pmt-stat-1';
/** 100 000 files take about 15 MB; a file far beyond any real tree is not read. */
const MAX_FILE_BYTES = 512 * 2 ** 20;
/** Files modified or changed this close to the walk's start may change again unnoticed within the clock's granularity. */
export const RACY_NS = 2_000_000_000n;

/** Where the stat cache of the input `realDir` lives under `dir`. */
export function statCachePath(dir: string, realDir: string): string {
  return join(dir, createHash('sha256').update(realDir).digest('hex'));
}

/** The stat data a remembered hash is valid for, as one string. */
export function statKey(s: {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  mode: bigint;
  uid: bigint;
  gid: bigint;
}): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.mode}:${s.uid}:${s.gid}`;
}

function readBounded(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return '';
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, null);
      if (n === 0) break;
      read += n;
    }
    return buffer.toString('utf8', 0, read);
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/** NUL-separated: the header, then rel, stat, sha256 per file. Anything malformed: nothing remembered. */
function parse(text: string): Map<string, Remembered> {
  const map = new Map<string, Remembered>();
  const fields = text.split('\0');
  if (fields[0] !== HEADER || fields.length % 3 !== 2 || fields[fields.length - 1] !== '') return map;
  for (let i = 1; i + 2 < fields.length; i += 3) {
    const sha256 = fields[i + 2]!;
    if (!/^[0-9a-f]{64}$/.test(sha256)) return new Map();
    map.set(fields[i]!, { stat: fields[i + 1]!, sha256 });
  }
  return map;
}
