import { createHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { MemoryBudget } from './memory-budget.js';

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
 * the first chunk that does not fit moves the file to disk (the chunks held so far are written out
 * and their budget returned) and the rest streams straight to the file. Sizes are not known up
 * front (a multipart part has no length), so deciding per chunk is the only way to keep small files
 * in memory without ever exceeding the bound. Each chunk is stored before the next is read
 * (backpressure), so a large file never holds more than a chunk or two in the heap. On any
 * failure (source error, a refused size, abort) the source is destroyed, the held memory released
 * and the temp file removed before the promise rejects.
 */
export async function spool(source: ResultSource, context: SpoolContext): Promise<Spooled> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let held = 0;
  let file: FileHandle | undefined;
  let path: string | undefined;
  const input = source instanceof Readable ? source : Readable.from(source, { objectMode: true });
  const stop = (): void => {
    input.destroy(context.signal.reason instanceof Error ? context.signal.reason : new Error('result reception aborted'));
  };
  try {
    if (context.signal.aborted) stop();
    context.signal.addEventListener('abort', stop, { once: true });
    // One chunk at a time: the next is read only after this one is stored, so the source is held
    // back (backpressure) while a write is in flight, and cleanup below never races the loop.
    for await (const piece of input) {
      const chunk = toBuffer(piece);
      if (chunk.length === 0) continue;
      context.grow(chunk.length, size + chunk.length);
      size += chunk.length;
      hash.update(chunk);
      if (file) {
        await writeAll(file, chunk);
      } else if (context.budget.tryReserve(chunk.length)) {
        chunks.push(ownCopy(chunk));
        held += chunk.length;
      } else {
        path = context.tempPath();
        file = await open(path, 'wx');
        for (const earlier of chunks) await writeAll(file, earlier);
        await writeAll(file, chunk);
        chunks.length = 0;
        context.budget.release(held);
        held = 0;
      }
    }
    if (file) {
      const done = file;
      file = undefined;
      await done.close();
    }
  } catch (error) {
    context.failed();
    input.destroy();
    chunks.length = 0;
    context.budget.release(held);
    await file?.close().catch(() => undefined);
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

async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
