import { cacheKey } from '../cache/cache-key.js';
import { digestInput } from '../cache/input-digest.js';
import { placeOutputs } from '../cache/output-placement.js';
import type { ResultCache } from '../cache/result-cache.js';
import type { ContainerRuntime } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';
import { CACHE_ENGINE_VERSION } from './cached-results.js';
import type { PlanFacts } from './plan-scan.js';

/**
 * What `--dry-run` can learn without creating anything: each local image's USER (whether pmt would
 * chmod /result as root first) and whether the result cache would answer instead of a container —
 * the same key a run computes (image id, entry, input digest). `cache` undefined means --no-cache.
 */
export async function planFacts(
  plugins: readonly Plugin[],
  inputDir: string,
  runtime: ContainerRuntime | undefined,
  cache: ResultCache | undefined,
  /** The results and logs dirs the run would use: inside the input, they are not part of its digest. */
  outputDirs: readonly (string | undefined)[] = [],
): Promise<Record<string, PlanFacts>> {
  let digest: Promise<string> | undefined;
  const facts: Record<string, PlanFacts> = {};
  for (const plugin of plugins) {
    const image = runtime ? await runtime.findImage(plugin.image) : undefined;
    let answer: string;
    if (!cache) answer = 'off (--no-cache or PMT_NO_CACHE): the plugin runs';
    else if (!image) answer = 'unknown until the image is on the engine';
    else {
      digest ??= placeOutputs(inputDir, outputDirs)
        .then(({ inside }) => digestInput(inputDir, { exclude: inside, statDir: cache.statDir, saveStats: false }))
        .then((d) => d.digest);
      const hit = await cache.lookup(cacheKey({ imageId: image.id, plugin, inputDigest: await digest, coreVersion: CACHE_ENGINE_VERSION }));
      answer = hit ? `hit: results of ${hit.createdAt} would be restored, no container started (--no-cache runs it)` : 'miss: the plugin runs';
    }
    facts[plugin.name] = { imageUser: image?.user, cache: answer, ...(image ? { repoDigests: image.repoDigests } : {}) };
  }
  return facts;
}
