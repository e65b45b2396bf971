import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../fs/make-dirs.js';
import { readAtMost } from '../fs/read-at-most.js';
import { replaceFile } from '../store/replace-file.js';

/**
 * What the previous digest of an input learnt, the way git's index does: per file, its stat data
 * (device, inode, size, mtime and ctime in ns, mode, owner) and the sha256 of its content. A file
 * whose stat data is unchanged is not read again. Any write, chmod, chown or rename changes the ctime,
 * so stale content is never reused; a file changed in the moment it was hashed is not remembered
 * (see RACY_MS) and is read again next time.
 */
export class StatCache {
  /** The previous digest's files, in its walk order: a walk of an unchanged tree meets them in turn. */
  readonly #previous: Remembered[];
  #cursor = 0;
  /** Built only when the walk leaves the previous order (files added, removed or renamed). */
  #byPath: Map<string, Remembered> | undefined;
  readonly #next: Remembered[] = [];
  #changed = false;

  private constructor(previous: Remembered[]) {
    this.#previous = previous;
  }

  /** An empty cache: every file is read. */
  static empty(): StatCache {
    return new StatCache([]);
  }

  /** The cache stored at `path`; empty when it is missing, damaged or larger than `maxBytes`. */
  static async load(path: string, maxBytes = MAX_FILE_BYTES): Promise<StatCache> {
    const bytes = await readAtMost(path, maxBytes).catch(() => undefined);
    return new StatCache(parse(bytes?.toString('utf8') ?? ''));
  }

  /** The sha256 remembered for `rel` when its stat data is still `stat`. */
  reuse(rel: string, stat: string): string | undefined {
    let known = this.#previous[this.#cursor];
    if (known?.rel === rel) this.#cursor++;
    else {
      this.#byPath ??= new Map(this.#previous.map((entry) => [entry.rel, entry]));
      known = this.#byPath.get(rel);
    }
    if (known === undefined || known.stat !== stat) return undefined;
    this.#next.push(known);
    return known.sha256;
  }

  /** Remembers a freshly hashed file, unless it changed too recently to trust its stat data. */
  remember(rel: string, stat: string, sha256: string, racy: boolean): void {
    this.#changed = true;
    if (!racy) this.#next.push({ rel, stat, sha256 });
  }

  /** True when the next digest would learn something from saving (files added, changed or gone). */
  get changed(): boolean {
    return this.#changed || this.#next.length !== this.#previous.length;
  }

  /** Writes what this digest learnt to `path` (a temp file renamed into place: readers see all or nothing). */
  async save(path: string): Promise<void> {
    const parts: string[] = [HEADER];
    for (const { rel, stat, sha256 } of this.#next) parts.push(rel, stat, sha256);
    await makeDirs(join(path, '..'), 0o700);
    await replaceFile(path, (temp) => writeFile(temp, `${parts.join('\0')}\0`, { flag: 'wx', mode: 0o600 }));
  }
}

interface Remembered {
  readonly rel: string;
  readonly stat: string;
  readonly sha256: string;
}

const HEADER = 'pmt-stat-1';
/** 100 000 files take about 15 MB; a file far beyond any real tree is not read. */
const MAX_FILE_BYTES = 512 * 2 ** 20;
/** Files modified or changed this close to the walk's start may change again unnoticed within the clock's granularity. */
export const RACY_MS = 2000;

/** Where the stat cache of the input `realDir` lives under `dir`. */
export function statCachePath(dir: string, realDir: string): string {
  return join(dir, createHash('sha256').update(realDir).digest('hex'));
}

/** The stat data a remembered hash is valid for, as one string (times in ms to ~0.25 µs). */
export function statKey(s: Stats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.mode}:${s.uid}:${s.gid}`;
}


/** NUL-separated: the header, then rel, stat, sha256 per file. Anything malformed: nothing remembered. */
function parse(text: string): Remembered[] {
  const fields = text.split('\0');
  if (fields[0] !== HEADER || fields.length % 3 !== 2 || fields[fields.length - 1] !== '') return [];
  const entries: Remembered[] = [];
  for (let i = 1; i + 2 < fields.length; i += 3) {
    const sha256 = fields[i + 2]!;
    if (sha256.length !== 64) return [];
    entries.push({ rel: fields[i]!, stat: fields[i + 1]!, sha256 });
  }
  return entries;
}
