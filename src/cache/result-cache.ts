import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, PmtError } from '../errors.js';
import { CACHE_FORMAT } from './cache-key.js';
import { statCacheDirOf } from './cache-dir.js';
import { cachedFileProblem, treeBytes, writeCacheFile, type CacheFileSource } from './cache-entry-files.js';
import { isPlainName, KEY_PATTERN, parseManifest, type CacheOrigin, type Manifest } from './cache-manifest.js';
import { makeDirs } from '../fs/make-dirs.js';
import { readAtMost } from '../fs/read-at-most.js';

export type { CacheFileSource } from './cache-entry-files.js';
export type { CacheOrigin } from './cache-manifest.js';

/** A verified cached result file; read it from `path`. */
export interface CachedFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly path: string;
}

export interface CacheHit {
  readonly files: readonly CachedFile[];
  /** ISO time the entry was stored. */
  readonly createdAt: string;
  /** The run that produced the files; undefined for entries stored by an older pmt. */
  readonly origin: CacheOrigin | undefined;
}

export interface ClearedCache {
  readonly entries: number;
  readonly bytes: number;
}

export interface ResultCacheOptions {
  readonly now?: () => Date;
  /** Told why an entry was not served (damaged entries are also removed); for a debug/warn log. */
  readonly onProblem?: (message: string) => void;
}

/** About 150 000 result files; pmt refuses to store an entry whose manifest would be larger. */
const MAX_MANIFEST_BYTES = 64 * 2 ** 20;
const TOO_LARGE = Symbol('too large');

/** Errors that mean "the entry is damaged": missing files, a symlink where a file should be. */
const DAMAGE_CODES = new Set(['ENOENT', 'ELOOP', 'ENOTDIR', 'EISDIR']);

/**
 * Result files of earlier plugin runs, by cache key, under `<dir>/v1/<key[0:2]>/<key>/`
 * (`manifest.json` and `files/<name>`). An entry is written in `<dir>/v1/tmp/` and renamed into
 * place whole, so readers never see a half-written one; anything damaged later is detected by
 * `lookup` (every file's sha256 is checked) and never served. Holds no state besides its directory.
 */
export class ResultCache {
  readonly dir: string;
  readonly #now: () => Date;
  readonly #onProblem: (message: string) => void;

  constructor(dir: string, options: ResultCacheOptions = {}) {
    this.dir = dir;
    this.#now = options.now ?? (() => new Date());
    this.#onProblem = options.onProblem ?? (() => undefined);
  }

  /** The verified entry of `key`, or undefined. Never rejects because of what is on disk. */
  async lookup(key: string): Promise<CacheHit | undefined> {
    assertKey(key);
    const entry = this.#entryDir(key);
    try {
      const text = await readManifest(join(entry, 'manifest.json')).catch(async (error: NodeJS.ErrnoException) => {
        // No entry is a plain miss; an entry without its manifest is a damaged one.
        if (error.code === 'ENOENT' && !(await stat(entry).catch(() => undefined))) return undefined;
        throw error;
      });
      if (text === undefined) return undefined;
      if (text === TOO_LARGE) return await this.#damaged(entry, `its manifest.json is over ${MAX_MANIFEST_BYTES} bytes, more than pmt ever writes`);
      const manifest = parseManifest(text, key);
      if (manifest === undefined) return await this.#damaged(entry, 'its manifest.json is not a valid manifest');
      const files = manifest.files.map((file) => ({ ...file, path: join(entry, 'files', file.name) }));
      const problems = await Promise.all(files.map((file) => cachedFileProblem(file.path, file)));
      const problem = problems.find((p) => p !== undefined);
      if (problem !== undefined) return await this.#damaged(entry, problem);
      return { files, createdAt: manifest.createdAt, origin: manifest.origin };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && DAMAGE_CODES.has(code)) return await this.#damaged(entry, String(error));
      this.#onProblem(`cache entry ${entry} could not be read (${String(error)}); running the plugin instead`);
      return undefined;
    }
  }

  /**
   * Stores the result files of `key`. Each file is read once and must have the size and sha256 it
   * claims; `origin` says which run produced them. If another process stored the same key meanwhile, its entry is kept. Rejects with a
   * PmtError when the entry cannot be written (the scan itself is unaffected).
   */
  async store(key: string, files: readonly CacheFileSource[], origin?: CacheOrigin): Promise<void> {
    assertKey(key);
    const names = files.map((file) => file.name);
    if (!names.every(isPlainName) || new Set(names).size !== names.length) {
      throw new PmtError(`cannot cache result files named ${JSON.stringify(names)}: names must be plain and unique`, { origin: 'pmt' });
    }
    const tmpRoot = join(this.dir, 'v1', 'tmp');
    let temp: string | undefined;
    try {
      await makeDirs(tmpRoot, 0o700);
      temp = await mkdtemp(join(tmpRoot, `${key.slice(0, 8)}-`));
      await mkdir(join(temp, 'files'));
      await Promise.all(files.map((file) => writeCacheFile(file, join(temp as string, 'files', file.name))));
      const manifest: Manifest = {
        format: CACHE_FORMAT,
        key,
        createdAt: this.#now().toISOString(),
        files: files.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
        ...(origin ? { origin } : {}),
      };
      const text = `${JSON.stringify(manifest, null, 2)}\n`;
      if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) throw new Error(`the manifest of ${files.length} result files would be over ${MAX_MANIFEST_BYTES} bytes`);
      // Last, so that a temp dir with a manifest has all its files (the rename is what publishes).
      await writeFile(join(temp, 'manifest.json'), text, { flag: 'wx' });
      const entry = this.#entryDir(key);
      await makeDirs(dirname(entry), 0o700);
      await rename(temp, entry).catch((error: NodeJS.ErrnoException) => {
        // Another store of this key won the race; its entry is as good as ours.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } catch (error) {
      throw new PmtError(`could not store results in the cache at ${this.dir}: ${String(error)}`, {
        origin: 'pmt',
        hint: 'the scan results are not affected; check free space and permissions there, or run `pmt cache clear`',
        cause: error,
      });
    } finally {
      // After a successful rename the temp dir is gone and this does nothing.
      if (temp !== undefined) await rm(temp, { recursive: true, force: true });
    }
  }

  /** Removes every entry (and leftover temp dirs) of this cache format; counts what was there. */
  async clear(): Promise<ClearedCache> {
    const root = join(this.dir, 'v1');
    try {
      let entries = 0;
      for (const shard of await readdir(root, { withFileTypes: true }).catch(ifMissing([]))) {
        if (!shard.isDirectory() || shard.name === 'tmp' || shard.name === 'stat') continue;
        const keys = await readdir(join(root, shard.name), { withFileTypes: true });
        entries += keys.filter((k) => k.isDirectory() && KEY_PATTERN.test(k.name)).length;
      }
      const bytes = await treeBytes(root);
      await rm(root, { recursive: true, force: true });
      return { entries, bytes };
    } catch (error) {
      throw new PmtError(`could not clear the result cache at ${this.dir}: ${String(error)}`, {
        origin: 'user',
        exitCode: ExitCode.usage,
        hint: 'check the permissions of that directory (set by CacheDir or XDG_CACHE_HOME)',
        cause: error,
      });
    }
  }

  /** Where the input digest keeps what it learnt of earlier walks (see StatCache); `clear` empties it too. */
  get statDir(): string {
    return statCacheDirOf(this.dir);
  }

  #entryDir(key: string): string {
    return join(this.dir, 'v1', key.slice(0, 2), key);
  }

  /** Removes a damaged entry so that the next store can replace it; reports it; a miss. */
  async #damaged(entry: string, problem: string): Promise<undefined> {
    this.#onProblem(`ignored the damaged cache entry ${entry}: ${problem}; it was removed`);
    await rm(entry, { recursive: true, force: true }).catch(() => undefined);
    return undefined;
  }
}

/**
 * The manifest's text, or TOO_LARGE without reading it when it is larger than any manifest pmt
 * writes (a planted 300 MB file must not be read whole into memory).
 */
async function readManifest(path: string): Promise<string | typeof TOO_LARGE> {
  const bytes = await readAtMost(path, MAX_MANIFEST_BYTES);
  return bytes === undefined ? TOO_LARGE : bytes.toString('utf8');
}

function assertKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new PmtError(`not a cache key: ${JSON.stringify(key)}`, { origin: 'pmt' });
}

function ifMissing<T>(value: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code === 'ENOENT') return value;
    throw error;
  };
}
