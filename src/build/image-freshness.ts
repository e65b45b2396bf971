import type { LocalImage } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';
import { buildCommand } from './build-command.js';
import { BUILD_CONTEXT_LABEL, buildContextHash } from './build-context-hash.js';

/**
 * Whether a local image of an entry with `build` still matches its build directory:
 * `current`/`out of date` when the image carries pmt's build label, `unknown` when it does not
 * (built by hand without the label) or the entry has no readable build directory.
 */
export type Freshness =
  | { readonly state: 'current' | 'unknown'; readonly hash: string | undefined }
  | { readonly state: 'out of date'; readonly hash: string; readonly message: string; readonly hint: string };

/** `registryFlag`: the command's `-r FILE`, named in the rebuild command. */
export async function imageFreshness(plugin: Plugin, image: LocalImage, registryFlag?: string): Promise<Freshness> {
  if (!plugin.build) return { state: 'unknown', hash: undefined };
  const hash = await buildContextHash(plugin.build).catch(() => undefined);
  const built = image.labels[BUILD_CONTEXT_LABEL];
  if (hash === undefined || !built) return { state: 'unknown', hash };
  if (built === hash) return { state: 'current', hash };
  return {
    state: 'out of date',
    hash,
    message: `image ${plugin.image} is out of date: ${plugin.build} changed since the image was built`,
    hint: `rebuild with \`${buildCommand(plugin, registryFlag)}\``,
  };
}
