import { createHash } from 'node:crypto';
import type { Plugin } from '../registry/plugin.js';
import { canonicalJson } from './canonical-json.js';

/** Changes whenever the layout or meaning of cached entries changes; old keys then simply miss. */
export const CACHE_FORMAT = 'pmt-cache-1';

/**
 * Plugin fields that cannot change what the plugin writes into /result. Everything else in the
 * entry is hashed (image, shell, cmd, results, env, user, network, resources, readOnlyRootfs) and so
 * is any field added to Plugin later: forgetting this list costs a cache miss, never a wrong hit.
 * `name` is hashed on purpose: the container sees it as PMT_PLUGIN_NAME.
 */
const IGNORED_FIELDS: ReadonlySet<string> = new Set([
  'version', // free text; the image id says what really runs
  'importer', // where results are uploaded, not what they are
  'build', // a Dockerfile path; the built image's id is hashed
  'coreVersion', // a compatibility range; the engine version itself is hashed
  'timeoutMs', // a run that finished in time wrote the same results
]);

export interface CacheKeyInput {
  /** The id of the local image the plugin would run in (`sha256:…`), not its reference. */
  readonly imageId: string;
  readonly plugin: Plugin;
  /** From digestInput: `git:<tree>` or `walk:<sha256>`. */
  readonly inputDigest: string;
  /** The core engine version (CORE_ENGINE_VERSION). */
  readonly coreVersion: string;
}

/** The cache key of one plugin run on one input: 64 lowercase hex digits. Pure. */
export function cacheKey(input: CacheKeyInput): string {
  const plugin: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input.plugin)) {
    if (!IGNORED_FIELDS.has(field)) plugin[field] = value;
  }
  const text = canonicalJson({
    format: CACHE_FORMAT,
    coreVersion: input.coreVersion,
    imageId: input.imageId,
    inputDigest: input.inputDigest,
    plugin,
  });
  return createHash('sha256').update(text).digest('hex');
}
