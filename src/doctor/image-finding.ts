import type { Freshness } from '../build/image-freshness.js';
import { buildHint } from '../agent/build-hint.js';
import type { DistributionAnswer } from '../docker/container-runtime.js';
import type { Plugin } from '../registry/plugin.js';
import type { Finding } from './finding.js';

/** What the engine and the image's registry said about a plugin's image. */
export type ImageState =
  | { readonly present: true; readonly id: string; readonly freshness: Freshness }
  | { readonly present: false; readonly registry: DistributionAnswer };

/** Present is fine; absent but pullable or buildable is a warning; neither is a failure. */
export function imageFinding(plugin: Plugin, state: ImageState, registryFlag?: string): Finding {
  const base = { check: 'image', plugin: plugin.name } as const;
  if (state.present) {
    const { freshness } = state;
    // An edited build directory: scans would still run the old image (and its cached results).
    if (freshness.state === 'out of date') return { ...base, status: 'warn', message: `${freshness.message} (${shortImageId(state.id)})`, hint: freshness.hint };
    return { ...base, status: 'ok', message: `${plugin.image} present (${shortImageId(state.id)})` };
  }
  const { registry } = state;
  if (registry.available) {
    return {
      ...base,
      status: 'warn',
      message: `${plugin.image} not present; its registry has it, so it will be pulled on first use`,
      hint: `prefetch it with \`pmt pull -p ${plugin.name}\``,
    };
  }
  const why = `${plugin.image} not present and not pullable: ${registry.reason}`;
  if (plugin.build) return { ...base, status: 'warn', message: `${why}; buildable from ${plugin.build}`, hint: buildHint(plugin, registryFlag) };
  return { ...base, status: 'fail', message: why, hint: buildHint(plugin, registryFlag) };
}

/** `sha256:90ab60410859…` → `90ab60410859`, as `docker images` shows it. */
export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
