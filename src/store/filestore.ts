import { createReadStream, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PmtError } from '../errors.js';
import { linkOrCopy } from './link-or-copy.js';
import { MemoryBudget } from './memory-budget.js';
import { replaceFile } from './replace-file.js';
import { ResultTooLargeError } from './result-too-large-error.js';
import { spool, type ResultSource, type SpoolData } from './spool.js';
import type { PutLimits, StagedResult, StoredResult } from './stored-result.js';

export { ResultTooLargeError } from './result-too-large-error.js';
export type { PutLimits, StagedResult, StoredResult } from './stored-result.js';
export type { ResultSource } from './spool.js';

export interface FilestoreOptions {
  /** Result bytes the whole run may hold in memory; beyond it files go to temp files. */
  readonly memoryBytes: number;
  /** Where the private temp dir is created; default `os.tmpdir()`. */
  readonly tempParent?: string;
  /** Largest single file kept in memory; default FILE_MEMORY_BYTES (never more than `memoryBytes`). */
  readonly fileMemoryBytes?: number;
}

/**
 * Results are mostly small (JSON, SPDX); a file larger than this goes to disk as soon as it crosses
 * it instead of first filling the run's whole memory budget (which costs the heap and a late burst
 * of writes). Peak RSS of `pmt scan` with a 1 GiB result (64 MiB budget): 186 MiB without this cap,
 * about 130 MiB with it (bench/transport-1gib.mjs).
 */
export const FILE_MEMORY_BYTES = 8 * 1024 * 1024;

interface Entry {
  readonly result: StoredResult;
  readonly data: SpoolData;
  readonly memoryBytes: number;
}

/** A file being received or staged; counts against its plugin run's total until committed or aborted. */
interface Reception {
  readonly pluginId: number;
  readonly name: string;
  readonly controller: AbortController;
  state: 'receiving' | 'staged' | 'done';
  /** Bytes counted against the run total so far. */
  bytes: number;
  /** Settles (never rejects) once the reception's memory/temp file is committed or freed. */
  settled: Promise<void>;
  abort: () => Promise<void>;
}

/**
 * The result files of one scan run, per plugin run. Bytes stay in memory up to `memoryBytes` for
 * the whole run, then spill to temp files in a private directory (mode 0700) that `close()`
 * removes. Nothing here is module-level: every run creates its own store.
 */
export class Filestore {
  readonly #dir: string;
  readonly #budget: MemoryBudget;
  readonly #fileMemoryBytes: number;
  readonly #entries = new Map<number, Map<string, Entry>>();
  readonly #receptions = new Set<Reception>();
  #nextTemp = 0;
  #closing: Promise<void> | undefined;

  private constructor(dir: string, memoryBytes: number, fileMemoryBytes: number) {
    this.#dir = dir;
    this.#budget = new MemoryBudget(memoryBytes);
    this.#fileMemoryBytes = fileMemoryBytes;
  }

  static async create(options: FilestoreOptions): Promise<Filestore> {
    const { memoryBytes, fileMemoryBytes = FILE_MEMORY_BYTES } = options;
    if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 0) {
      throw new PmtError(`filestore memory bound must be a whole number of bytes >= 0, got ${memoryBytes}`, { origin: 'pmt' });
    }
    if (!Number.isSafeInteger(fileMemoryBytes) || fileMemoryBytes < 0) {
      throw new PmtError(`filestore per-file memory bound must be a whole number of bytes >= 0, got ${fileMemoryBytes}`, { origin: 'pmt' });
    }
    // mkdtemp creates the directory with mode 0700: only this user can read spilled results.
    const dir = await mkdtemp(join(options.tempParent ?? tmpdir(), 'pmt-store-'));
    return new Filestore(dir, memoryBytes, fileMemoryBytes);
  }

  /** The private temp directory (removed by `close()`). */
  get tempDir(): string {
    return this.#dir;
  }

  /** Result bytes currently held in memory, staged ones included. */
  get memoryInUse(): number {
    return this.#budget.used;
  }

  /**
   * Streams `source` in and stages it. On a broken limit rejects with ResultTooLargeError; on any
   * failure nothing of the file is kept and `source` is destroyed.
   */
  async receive(pluginId: number, name: string, source: ResultSource, limits: PutLimits): Promise<StagedResult> {
    this.#assertOpen();
    const controller = new AbortController();
    let release: () => void = () => undefined;
    const reception: Reception = {
      pluginId,
      name,
      controller,
      state: 'receiving',
      bytes: 0,
      settled: new Promise<void>((resolve) => (release = resolve)),
      abort: async () => controller.abort(),
    };
    this.#receptions.add(reception);
    const finish = (): void => {
      reception.state = 'done';
      this.#receptions.delete(reception);
      release();
    };

    let spooled;
    try {
      spooled = await spool(source, {
        budget: this.#budget,
        fileMemoryBytes: this.#fileMemoryBytes,
        tempPath: () => join(this.#dir, `${this.#nextTemp++}.part`),
        grow: (bytes, size) => this.#grow(reception, limits, bytes, size),
        // A failed file stops counting against its run at once, not after its temp file is gone.
        failed: () => (reception.bytes = 0),
        signal: controller.signal,
      });
    } catch (error) {
      finish();
      throw error;
    }

    const result: StoredResult = { pluginId, name, size: spooled.size, sha256: spooled.sha256 };
    const entry: Entry = { result, data: spooled.data, memoryBytes: spooled.memoryBytes };
    if (controller.signal.aborted) {
      // Discarded or closed just as the source ended: the abort came too late to stop the spool.
      await this.#free(entry);
      finish();
      throw new PmtError(`result ${JSON.stringify(name)} of plugin run ${pluginId} was dropped while it was received`, { origin: 'pmt' });
    }
    reception.state = 'staged';
    reception.abort = async () => {
      if (reception.state !== 'staged') return;
      finish();
      await this.#free(entry);
    };
    const commit = (): StoredResult => {
      if (reception.state !== 'staged') {
        throw new PmtError(`result ${JSON.stringify(name)} of plugin run ${pluginId} was dropped before it was accepted`, { origin: 'pmt' });
      }
      finish();
      const files = this.#entries.get(pluginId) ?? new Map<string, Entry>();
      this.#entries.set(pluginId, files);
      const replaced = files.get(name);
      files.set(name, entry);
      if (replaced) void this.#free(replaced);
      return result;
    };
    return { result, commit, abort: () => reception.abort() };
  }

  /** Streams `source` in and keeps it; same (pluginId, name) again replaces the earlier file. */
  async put(pluginId: number, name: string, source: ResultSource, limits: PutLimits): Promise<StoredResult> {
    const staged = await this.receive(pluginId, name, source, limits);
    return staged.commit();
  }

  list(pluginId: number): StoredResult[] {
    return [...(this.#entries.get(pluginId)?.values() ?? [])].map((entry) => entry.result);
  }

  get(pluginId: number, name: string): StoredResult | undefined {
    return this.#entries.get(pluginId)?.get(name)?.result;
  }

  /** Reads a file back. The stream sees the bytes as they were, even if the file is replaced meanwhile. */
  open(pluginId: number, name: string): Readable {
    const data = this.#require(pluginId, name).data;
    if (data.kind === 'memory') return Readable.from([...data.chunks], { objectMode: false });
    // Open now so a later replace/discard (which unlinks the temp file) cannot pull it away.
    const fd = openSync(data.path, 'r');
    return createReadStream('', { fd, autoClose: true });
  }

  /**
   * Puts a file at `path`, replacing what is there without ever following it (see replaceFile): a
   * spilled file is hard-linked when `path` is on the store's file system (no bytes copied), else
   * copied; a file in memory is written in one go. On failure nothing is left at or beside `path`.
   */
  async saveTo(pluginId: number, name: string, path: string): Promise<void> {
    const data = this.#require(pluginId, name).data;
    // Temp files are created with the default mode (the directory is what keeps them private), so
    // a link or a copy gets the same permissions as writeFile.
    await replaceFile(path, (temp) => (data.kind === 'file' ? linkOrCopy(data.path, temp) : writeFile(temp, data.chunks, { flag: 'wx' })));
  }

  /** Drops a plugin run's results, including files still being received or staged. */
  async discard(pluginId: number): Promise<void> {
    const pending = [...this.#receptions].filter((reception) => reception.pluginId === pluginId);
    for (const reception of pending) void reception.abort();
    const files = this.#entries.get(pluginId);
    this.#entries.delete(pluginId);
    await Promise.all([...pending.map((reception) => reception.settled), ...[...(files?.values() ?? [])].map((entry) => this.#free(entry))]);
  }

  /** Idempotent. Aborts receptions, frees memory and removes the temp directory. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const pending = [...this.#receptions];
    for (const reception of pending) void reception.abort();
    await Promise.all(pending.map((reception) => reception.settled));
    const ids = [...this.#entries.keys()];
    await Promise.all(ids.map((id) => this.discard(id)));
    await rm(this.#dir, { recursive: true, force: true });
  }

  #grow(reception: Reception, limits: PutLimits, bytes: number, size: number): void {
    const { pluginId, name } = reception;
    if (size > limits.maxFileBytes) {
      throw new ResultTooLargeError({ pluginId, fileName: name, scope: 'file', limitBytes: limits.maxFileBytes });
    }
    if (this.#runBytes(pluginId, name) + bytes > limits.maxRunBytes) {
      throw new ResultTooLargeError({ pluginId, fileName: name, scope: 'run', limitBytes: limits.maxRunBytes });
    }
    reception.bytes += bytes;
  }

  /** Bytes of a plugin run: committed files except `replacing` (it would be replaced) plus all receptions. */
  #runBytes(pluginId: number, replacing: string): number {
    let total = 0;
    for (const [name, entry] of this.#entries.get(pluginId) ?? []) if (name !== replacing) total += entry.result.size;
    for (const reception of this.#receptions) if (reception.pluginId === pluginId) total += reception.bytes;
    return total;
  }

  async #free(entry: Entry): Promise<void> {
    this.#budget.release(entry.memoryBytes);
    if (entry.data.kind === 'file') await rm(entry.data.path, { force: true });
  }

  #require(pluginId: number, name: string): Entry {
    this.#assertOpen();
    const entry = this.#entries.get(pluginId)?.get(name);
    if (!entry) throw new PmtError(`no result ${JSON.stringify(name)} stored for plugin run ${pluginId}`, { origin: 'pmt' });
    return entry;
  }

  #assertOpen(): void {
    if (this.#closing) throw new PmtError('the filestore is closed', { origin: 'pmt' });
  }
}
