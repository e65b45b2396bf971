import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { MemoryBudget } from './memory-budget.js';
import { SpillFile } from './spill-file.js';

/** Where a received file's bytes live. */
export type SpoolData = { readonly kind: 'memory'; readonly chunks: readonly Buffer[] } | { readonly kind: 'file'; readonly path: string };

/** A Node Readable, or any async iterable of byte chunks (e.g. a streamx stream from tar-stream). */
export type ResultSource = Readable | AsyncIterable<unknown>;

export interface Spooled {
  readonly data: SpoolData;
  readonly size: number;
  readonly sha256: string;
  /** Bytes of `budget` this file holds (0 once spilled). */
  readonly memoryBytes: number;
}

export interface SpoolContext {
  readonly budget: MemoryBudget;
  /** Largest file kept in memory, whatever the budget: a larger one goes to disk as it crosses this. */
  readonly fileMemoryBytes: number;
  /** A fresh path in the store's private temp dir; called at most once. */
  readonly tempPath: () => string;
  /** Called before `bytes` more are accepted, `size` being the file's size with them; throws to refuse. */
  readonly grow: (bytes: number, size: number) => void;
  /** Called first thing on failure, before the (asynchronous) cleanup. */
  readonly failed: () => void;
  readonly signal: AbortSignal;
}

/**
 * Streams `source` into memory or a temp file while hashing and counting it.
 *
 * Memory policy: a file starts in memory and takes its chunks from the run-wide budget one by one;
 * the first chunk that does not fit, or that takes the file over `fileMemoryBytes`, moves the file
 * to disk (the chunks held so far are written out and their budget returned) and the rest streams
 * to the file. Sizes are not known up front (a multipart part has no length), so deciding per chunk
 * is the only way to keep small files in memory without ever exceeding the bound; the per-file cap
 * keeps one large file, which ends up on disk anyway, from holding the whole budget in the heap
 * first. Disk writes go through SpillFile's two reused 1 MiB buffers (one filling, one being
 * written), so a large file holds about 2 MiB however big it is. On any failure (source error, a
 * refused size, abort) the source is destroyed, the held memory released and the temp file removed
 * before the promise rejects.
 */
export async function spool(source: ResultSource, context: SpoolContext): Promise<Spooled> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let held = 0;
  let file: SpillFile | undefined;
  let path: string | undefined;
  const input = source instanceof Readable ? source : Readable.from(source, { objectMode: true });
  const stop = (): void => {
    input.destroy(context.signal.reason instanceof Error ? context.signal.reason : new Error('result reception aborted'));
  };
  try {
    if (context.signal.aborted) stop();
    context.signal.addEventListener('abort', stop, { once: true });
    // The next chunk is read only once this one is stored (or queued for a batch write), so the
    // source is held back while the disk is busy, and cleanup below never races the loop.
    for await (const piece of input) {
      const chunk = toBuffer(piece);
      if (chunk.length === 0) continue;
      context.grow(chunk.length, size + chunk.length);
      size += chunk.length;
      hash.update(chunk);
      if (file) {
        await file.append(chunk);
      } else if (size <= context.fileMemoryBytes && context.budget.tryReserve(chunk.length)) {
        chunks.push(ownCopy(chunk));
        held += chunk.length;
      } else {
        path = context.tempPath();
        file = await SpillFile.create(path);
        for (const earlier of chunks) await file.append(earlier);
        await file.append(chunk);
        chunks.length = 0;
        context.budget.release(held);
        held = 0;
      }
    }
    if (file) {
      await file.close();
      file = undefined;
    }
  } catch (error) {
    context.failed();
    input.destroy();
    chunks.length = 0;
    context.budget.release(held);
    await file?.remove();
    if (path !== undefined) await rm(path, { force: true });
    throw error;
  } finally {
    context.signal.removeEventListener('abort', stop);
  }
  const data: SpoolData = path === undefined ? { kind: 'memory', chunks } : { kind: 'file', path };
  return { data, size, sha256: hash.digest('hex'), memoryBytes: held };
}

function toBuffer(piece: unknown): Buffer {
  if (Buffer.isBuffer(piece)) return piece;
  if (piece instanceof Uint8Array) return Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  if (typeof piece === 'string') return Buffer.from(piece);
  throw new TypeError(`a result stream yielded ${typeof piece}, expected bytes`);
}

/**
 * Chunks from parsers are often views into a larger buffer (busboy slices each socket read); keeping
 * the view would keep the whole parent alive and make the budget lie. Keep an exact copy instead.
 */
function ownCopy(chunk: Buffer): Buffer {
  if (chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length) return chunk;
  const copy = Buffer.allocUnsafeSlow(chunk.length);
  chunk.copy(copy);
  return copy;
}
