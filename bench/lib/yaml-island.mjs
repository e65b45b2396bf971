// The YAML library as pmt's bundle loads it (dist/pmt-island-yaml.cjs with its code cache), for the
// floor clients; `npm run build` makes it.
import { createRequire } from 'node:module';
import { REPO } from './measure.mjs';

const { loadIsland } = createRequire(import.meta.url)(`${REPO}scripts/bundle/island-loader.cjs`);

export function yaml() {
  return loadIsland('yaml', `${REPO}dist`);
}
