import { createReadStream } from 'node:fs';
import type { CacheRestore, PluginCache } from '../agent/plugin-agent.js';
import { cacheKey } from '../cache/cache-key.js';
import type { CacheOrigin, ResultCache } from '../cache/result-cache.js';
import { CORE_ENGINE_VERSION, PMT_VERSION } from '../version.js';
import type { Filestore, PutLimits } from '../store/filestore.js';
import type { PluginRun } from '../transport/result-collector.js';

/** The pmt and core engine versions a cache entry is valid for (part of every key). */
export const CACHE_ENGINE_VERSION = `${PMT_VERSION}/${CORE_ENGINE_VERSION}`;

/**
 * The result cache as the agents use it: keyed by image id, the plugin entry and the run's input
 * digest; a hit is copied into the run's filestore so everything after (save, upload) is unchanged.
 */
export class CachedResults implements PluginCache {
  constructor(
    private readonly cache: ResultCache,
    private readonly inputDigest: string,
    private readonly coreVersion: string,
    private readonly filestore: Filestore,
    private readonly limits: PutLimits,
  ) {}

  async restore(run: PluginRun, imageId: string): Promise<CacheRestore | undefined> {
    const hit = await this.cache.lookup(this.key(run, imageId));
    if (!hit) return undefined;
    for (const file of hit.files) {
      const stored = await this.filestore.put(run.id, file.name, createReadStream(file.path), this.limits);
      // The entry was verified on lookup; this closes the gap between that check and this read.
      if (stored.sha256 !== file.sha256) {
        await this.filestore.discard(run.id);
        return undefined;
      }
    }
    return { storedAt: hit.createdAt, origin: hit.origin };
  }

  async save(run: PluginRun, imageId: string, origin: CacheOrigin): Promise<void> {
    const files = this.filestore.list(run.id).map((r) => ({ ...r, open: () => this.filestore.open(run.id, r.name) }));
    await this.cache.store(this.key(run, imageId), files, origin);
  }

  private key(run: PluginRun, imageId: string): string {
    return cacheKey({ imageId, plugin: run.plugin, inputDigest: this.inputDigest, coreVersion: this.coreVersion });
  }
}
