import { repositoryOf } from '../push/push-target.js';

/**
 * `repository@sha256:…` for an image and the digest its registry answered: what every node then
 * runs, whatever the tag points at later. A reference that already names a digest keeps its own.
 */
export function pinnedReference(image: string, digest: string): string {
  if (image.includes('@')) return image;
  return `${repositoryOf(image)}@${digest}`;
}
