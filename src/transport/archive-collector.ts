import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { RESULT_DIR } from '../agent/container-spec.js';
import { PluginFailure } from '../agent/plugin-failure.js';
import { dockerStatusCode } from '../docker/docker-errors.js';
import type { PluginContainer } from '../docker/container-runtime.js';
import type { Filestore, PutLimits } from '../store/filestore.js';
import { ListingBuilder, resultProblemsFailure, unreadableMode, type ResultProblem } from './result-check.js';
import type { ContainerSetup, PluginRun, ResultCollector } from './result-collector.js';

/**
 * Collects results by copying them out of the container through the engine's archive API. All of
 * `/result` comes in one tar stream (one engine request however many results are declared: 3 000
 * results took one request each before), parsed while it streams: declared files go into the
 * filestore under its limits, everything else is read past without being kept, and what the
 * directory holds is noted for the message about a missing result. Needs nothing in the image
 * and works with remote engines.
 */
export class ArchiveCollector implements ResultCollector {
  readonly kind = 'archive' as const;

  constructor(
    private readonly filestore: Filestore,
    private readonly limits: PutLimits,
  ) {}

  setup(): ContainerSetup {
    return { env: {}, binds: [], needsHostNetwork: false };
  }

  readonly probe = undefined;

  checkProbe(): void {}

  async prepare(): Promise<void> {
    // Nothing to get ready: archive copy asks the engine when collecting.
  }

  async collect(run: PluginRun, container: PluginContainer, _shell: unknown, signal: AbortSignal): Promise<void> {
    const declared = new Set(run.plugin.results);
    const found = new Set<string>();
    const problems: ResultProblem[] = [];
    const listing = new ListingBuilder();
    // A hard link to an undeclared file arrives as a reference to bytes that were not kept: fetch it alone.
    const alone: string[] = [];
    const archive = await this.archive(container, RESULT_DIR, signal);
    const root = `${basename(RESULT_DIR)}/`;
    await eachEntry(archive, async (header, entry) => {
      const name = header.name.startsWith(root) ? header.name.slice(root.length).replace(/\/$/, '') : '';
      if (name === '' || name.includes('/')) return;
      listing.add(header.type === 'directory' ? `${name}/` : name);
      if (!declared.has(name)) return;
      found.add(name);
      if (header.type === 'link') alone.push(name);
      else if (header.type !== 'file' && header.type !== 'contiguous-file') problems.push({ name, kind: 'not a regular file', type: header.type ?? 'unknown' });
      else if (unreadableMode(header.mode ?? 0)) problems.push({ name, kind: 'unreadable' });
      else await this.filestore.put(run.id, name, entry, this.limits);
    });
    for (const name of alone) await this.copyOne(run, container, name, signal);
    for (const name of run.plugin.results) if (!found.has(name)) problems.push({ name, kind: 'missing' });
    if (problems.length > 0) throw resultProblemsFailure(run.plugin.name, problems, listing.listing);
  }

  release(): void {}

  /** One declared file on its own (a hard link in `/result` arrives as a regular file this way). */
  private async copyOne(run: PluginRun, container: PluginContainer, name: string, signal: AbortSignal): Promise<void> {
    const archive = await this.archive(container, `${RESULT_DIR}/${name}`, signal);
    await eachEntry(archive, async (header, entry) => {
      if (header.type === 'file' && header.name === name) await this.filestore.put(run.id, name, entry, this.limits);
    });
  }

  private async archive(container: PluginContainer, path: string, signal: AbortSignal): Promise<Readable> {
    try {
      return await container.getArchive(path, signal);
    } catch (error) {
      if (dockerStatusCode(error) === 404) throw new PluginFailure(`${path} does not exist in the container of the plugin`, 'write results into /result');
      throw error;
    }
  }
}

/**
 * Parses a tar stream entry by entry; `handle` consumes the entry or leaves it, and whatever it
 * leaves is read past. The first error — a broken limit while storing, a broken stream — is the one
 * thrown (not the abort that stopping the stream causes).
 */
async function eachEntry(archive: Readable, handle: (header: Header, entry: AsyncIterable<unknown>) => Promise<void>): Promise<void> {
  const tar = extract();
  let failure: unknown;
  const fail = (error: unknown): void => {
    failure ??= error;
    tar.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  archive.once('error', fail);
  archive.pipe(tar as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of tar) {
      try {
        await handle(entry.header, entry);
      } catch (error) {
        fail(error);
        break;
      }
      for await (const _ of entry) void _; // read past what handle left
    }
  } catch (error) {
    failure ??= error;
  } finally {
    archive.unpipe(tar as unknown as NodeJS.WritableStream);
    archive.destroy();
  }
  if (failure !== undefined) throw failure;
}
