import { fileURLToPath } from 'node:url';

/**
 * The directory of pmt's own package (where package.json, plugins.yaml and plugins/ are): one level
 * up from this module in every form pmt runs in — src/ under vitest, dist/ after tsc, and the
 * dist/pmt*.mjs bundle and its chunks.
 */
export const PACKAGE_ROOT: string = fileURLToPath(new URL('..', import.meta.url));
