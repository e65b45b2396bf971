import type { Plugin } from '../registry/plugin.js';

/** The plugins grouped by their image, in order: plugins sharing an image pull or push it once. */
export function byImage(plugins: readonly Plugin[]): Map<string, Plugin[]> {
  const images = new Map<string, Plugin[]>();
  for (const plugin of plugins) images.set(plugin.image, [...(images.get(plugin.image) ?? []), plugin]);
  return images;
}
