import type { Stats } from 'node:fs';
import { constants, createReadStream, readFile } from 'node:fs';
import { access, lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';
import { PmtError } from '../errors.js';
import { selectInput, type GitignoreUse } from './input-selection.js';
import { ignoreVanished, walkAll, walkListed, type Candidate } from './input-walk.js';
import { readAhead } from './read-ahead.js';

export type { GitignoreUse };

export interface PackInputOptions {
  /** Leave out what git ignores, and `.git`, when the input is in a git work tree. */
  readonly respectGitignore: boolean;
  /** Paths relative to the input left out with all they hold (pmt's own output dirs). */
  readonly exclude?: readonly string[];
  /**
   * For a swarm task, which extracts the archive as root into an empty volume: every entry owned by
   * this uid and gid and without the group/other write bits, and the input directory itself packed
   * as `./` (so /input gets its modes and this owner too). A plugin that is not this owner then
   * cannot write, chmod, chown or delete anything of the input.
   */
  readonly owner?: number;
}

export interface PackSummary {
  readonly files: number;
  readonly directories: number;
  readonly symlinks: number;
  /** File content bytes (headers and padding not counted). */
  readonly bytes: number;
  /** Sockets, fifos, devices, and listed paths beneath a symlink: left out. The first 20 names. */
  readonly skipped: readonly string[];
  readonly skippedCount: number;
  /** Relative symlinks leading out of the input, stored with the absolute target they resolve to in the container. The first 20. */
  readonly rewrittenLinks: readonly string[];
  readonly rewrittenCount: number;
  /** Files pmt itself cannot read: packed empty, with their modes and owner. The first 20. */
  readonly unreadable: readonly string[];
  readonly unreadableCount: number;
}

export interface PackedInput {
  /** The tar stream; packing errors (a file changed or unreadable) arrive as its error. */
  readonly stream: Readable;
  readonly gitignore: GitignoreUse;
  /** Counts so far; complete once `stream` has ended. */
  summary(): PackSummary;
}

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;
type Sink = ReturnType<Pack['entry']>;
interface FileRef {
  readonly abs: string;
  readonly rel: string;
  readonly size: number;
}

/** A candidate with what packing it needs: its lstat, and a small file's content read ahead. */
type Prepared =
  | { readonly rel: string; readonly abs: string; readonly expand: boolean; readonly stats: Stats; readonly content: Buffer | undefined; readonly unreadable: boolean }
  | { readonly rel: string; readonly skip: string }
  | undefined;

/** Files up to this size are read whole, ahead of packing; larger ones stream in chunks of it. */
const CHUNK_BYTES = 256 * 1024;
/** Candidates prepared ahead (file system calls overlap); bounds memory to READ_AHEAD × CHUNK_BYTES. */
const READ_AHEAD = 16;
const SKIPPED_NAMES = 20;
/** Where plugin containers mount the volume this archive fills (INPUT_DIR). */
const MOUNTED_AT = '/input';

/**
 * The input directory as a tar stream, its contents at the archive root, for an engine that cannot
 * bind-mount it; the volume it fills is mounted read-only, so a plugin sees what a bind of the input
 * shows it — except /input itself, which is the volume's root (the engine ignores a `.` entry). Streams with backpressure (large files in chunks, never whole). Every entry keeps its
 * permission bits, owner and group, so a plugin can read exactly what it could read through a bind
 * (a 000 file stays unreadable to a plugin without CAP_DAC_OVERRIDE). Symlinks stay symlinks; a
 * relative one that leads out of the input gets the absolute target it resolves to in the container
 * (the engine refuses to extract the relative form; the plugin meets the same dangling link either
 * way). Sockets, fifos and devices are left out (a bind hides them too, see shieldBinds). A file pmt
 * cannot read is packed empty, with its modes.
 */
export async function packInput(dir: string, options: PackInputOptions): Promise<PackedInput> {
  const selection = await selectInput(dir, options.respectGitignore);
  const exclude = options.exclude ?? [];
  // An excluded directory itself stays, empty: a plugin sees what the empty mount over it shows locally.
  const excluded = (rel: string): boolean => exclude.some((path) => rel.startsWith(`${path}/`));
  const counts = {
    files: 0,
    directories: 0,
    symlinks: 0,
    bytes: 0,
    skipped: [] as string[],
    skippedCount: 0,
    rewrittenLinks: [] as string[],
    rewrittenCount: 0,
    unreadable: [] as string[],
    unreadableCount: 0,
  };
  const note = (list: string[], rel: string): void => void (list.length < SKIPPED_NAMES && list.push(rel));
  // Buffers of a few chunks let reading the disk and sending to the engine overlap.
  const pack = tarPack({ highWaterMark: 4 * CHUNK_BYTES });
  // Excluded paths are dropped before anything of them is read.
  async function* kept(source: AsyncIterable<Candidate>): AsyncIterable<Candidate> {
    for await (const candidate of source) if (!excluded(candidate.rel)) yield candidate;
  }
  const prepared = (source: AsyncIterable<Candidate>): AsyncIterable<Prepared> => readAhead(kept(source), prepare, READ_AHEAD);

  const packAll = async (entries: AsyncIterable<Prepared>): Promise<void> => {
    for await (const entry of entries) {
      if (pack.destroying) return;
      if (entry === undefined) continue;
      if ('skip' in entry || !(entry.stats.isFile() || entry.stats.isDirectory() || entry.stats.isSymbolicLink())) {
        note(counts.skipped, entry.rel);
        counts.skippedCount++;
        continue;
      }
      const { rel, abs, stats } = entry;
      const header = headerOf(rel, stats);
      if (stats.isDirectory()) {
        await addEntry(pack, { ...header, type: 'directory' });
        counts.directories++;
        if (entry.expand) await packAll(prepared(walkAll(dir, rel, true)));
      } else if (stats.isSymbolicLink()) {
        const target = await readlink(abs);
        const linkname = containedTarget(rel, target);
        if (linkname !== target) {
          note(counts.rewrittenLinks, rel);
          counts.rewrittenCount++;
        }
        await addEntry(pack, { ...header, type: 'symlink', mode: 0o777, linkname });
        counts.symlinks++;
      } else if (entry.unreadable) {
        await addEntry(pack, { ...header, type: 'file', size: 0 }, Buffer.alloc(0));
        note(counts.unreadable, rel);
        counts.unreadableCount++;
      } else {
        await addEntry(pack, { ...header, type: 'file', size: stats.size }, entry.content ?? { abs, rel, size: stats.size });
        counts.files++;
        counts.bytes += stats.size;
      }
    }
  };
  const source = selection.paths === undefined ? walkAll(dir, '', false) : walkListed(dir, selection.paths);
  // The whole st_mode: tar-stream replaces a mode of 0 (a 000 file) by its default; type bits are masked off.
  const { owner } = options;
  const headerOf = (rel: string, stats: Stats): EntryHeader =>
    owner === undefined
      ? { name: rel, uid: stats.uid, gid: stats.gid, mtime: stats.mtime, mode: stats.mode }
      : { name: rel, uid: owner, gid: owner, mtime: stats.mtime, mode: stats.mode & ~0o022 };
  const packRoot = async (): Promise<void> => {
    if (owner !== undefined) await addEntry(pack, { ...headerOf('./', await lstat(dir)), type: 'directory' });
  };
  packRoot()
    .then(() => packAll(prepared(source)))
    .then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error as Error),
  );

  return {
    // A Node stream around tar-stream's streamx one, for callers that pipe, pipeline or destroy it.
    stream: Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false, highWaterMark: 4 * CHUNK_BYTES }),
    gitignore: selection.gitignore,
    summary: () => ({ ...counts, skipped: [...counts.skipped], rewrittenLinks: [...counts.rewrittenLinks], unreadable: [...counts.unreadable] }),
  };
}

/** lstat, and a small file's content; undefined when the path vanished meanwhile. */
async function prepare(candidate: Candidate): Promise<Prepared> {
  if ('skip' in candidate) return candidate;
  const stats = await lstat(candidate.abs).catch(ignoreVanished);
  if (!stats) return undefined;
  if (!stats.isFile()) return { ...candidate, stats, content: undefined, unreadable: false };
  const file = { abs: candidate.abs, rel: candidate.rel, size: stats.size };
  try {
    if (stats.size > CHUNK_BYTES) await access(candidate.abs, constants.R_OK);
    return { ...candidate, stats, content: stats.size <= CHUNK_BYTES ? await readSmall(file) : undefined, unreadable: false };
  } catch (error) {
    const code = ((error as PmtError).cause as NodeJS.ErrnoException | undefined)?.code ?? (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { ...candidate, stats, content: undefined, unreadable: true };
    throw error;
  }
}

/**
 * The target a symlink at `rel` keeps in the archive: as it is, unless it is relative and leads out
 * of the input — then the absolute path it resolves to under /input in the container (`..` past `/`
 * stays at `/`), which the engine accepts and which resolves to the same place.
 */
export function containedTarget(rel: string, target: string): string {
  if (posix.isAbsolute(target)) return target;
  const inside = posix.normalize(posix.join(posix.dirname(rel), target));
  if (inside !== '..' && !inside.startsWith('../')) return target;
  return posix.normalize(posix.join(MOUNTED_AT, posix.dirname(rel), target));
}

/** One tar entry with its content, given whole or streamed from the file (exactly `size` bytes). */
function addEntry(pack: Pack, header: EntryHeader, content?: Buffer | FileRef): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null): void => (error ? reject(error) : resolve());
    if (Buffer.isBuffer(content)) return void pack.entry(header, content, done);
    const sink = pack.entry(header, done);
    // The failure reaches the caller through `done` and the destroyed pack; not as an uncaught event.
    sink.on('error', () => undefined);
    if (content) copyInto(sink, content).catch((error: unknown) => sink.destroy(error as Error));
  });
}

/** The callback readFile: twice as fast as fs/promises' for many small files (measured here). */
function readSmall(file: FileRef): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    readFile(file.abs, (error, content) => {
      if (error) reject(unreadable(file.rel, error));
      else if (content.length !== file.size) reject(changed(file.rel, file.size, content.length));
      else resolve(content);
    }),
  );
}

async function copyInto(sink: Sink, file: FileRef): Promise<void> {
  let read = 0;
  // `end` bounds the read: a file growing meanwhile must not overrun the size in the header.
  const source = createReadStream(file.abs, { start: 0, end: file.size - 1, highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (!sink.write(chunk)) await drained(sink);
      if (sink.destroyed) return;
    }
  } catch (error) {
    throw unreadable(file.rel, error);
  }
  if (read !== file.size) throw changed(file.rel, file.size, read);
  sink.end(undefined);
}

function drained(sink: Sink): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}

function unreadable(rel: string, error: unknown): PmtError {
  return new PmtError(`cannot read input file ${rel}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
    origin: 'user',
    hint: 'make the file readable for pmt, or leave it out of the input',
    cause: error,
  });
}

function changed(rel: string, expected: number, read: number): PmtError {
  return new PmtError(`input file ${rel} changed while it was being copied (${expected} bytes expected, ${read} read)`, {
    origin: 'user',
    hint: 'do not change the input during a scan',
  });
}
