// The YAML library for the floor clients, loaded the fastest way Node 20 allows and the way pmt
// loads its own bundle: bundled into one CommonJS file and compiled with a V8 code cache recorded by
// parsing the registry once (scripts/bundle/code-cache-loader.cjs). Made on first use for the
// installed yaml's version, in node_modules/.cache of this checkout (not a shared temp dir, where
// anyone could leave a yaml.cjs to be run); the benches call prepareYaml() before they measure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { REGISTRY, REPO } from './measure.mjs';

const require = createRequire(import.meta.url);
const LOADER = `${REPO}scripts/bundle/code-cache-loader.cjs`;
const version = JSON.parse(readFileSync(`${REPO}node_modules/yaml/package.json`, 'utf8')).version;
const DIR = join(REPO, 'node_modules', '.cache', `pmt-bench-yaml-${version}`);
const FILE = join(DIR, 'yaml.cjs');

/** Bundles yaml and records its code cache (a child parsing the registry), unless done already. */
export function prepareYaml() {
  if (existsSync(FILE) && readdirSync(DIR).some((name) => name.startsWith('yaml.cjs.') && name.endsWith('.cache'))) return;
  mkdirSync(DIR, { recursive: true });
  buildSync({ stdin: { contents: "module.exports = require('yaml');", resolveDir: REPO, loader: 'js' }, outfile: FILE, bundle: true, platform: 'node', format: 'cjs', charset: 'ascii', legalComments: 'none', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' });
  const warm = `require(${JSON.stringify(LOADER)}).runBundle(${JSON.stringify(FILE)}).exports.parse(require('node:fs').readFileSync(${JSON.stringify(REGISTRY)}, 'utf8'));`;
  spawnSync(process.execPath, ['-e', warm], { env: { ...process.env, NODE_OPTIONS: '', PMT_BUILD_WRITE_CODE_CACHE: '1' }, stdio: 'inherit' });
}

export function yaml() {
  return require(LOADER).runBundle(FILE, { PMT_BUILD_WRITE_CODE_CACHE: '0', XDG_CACHE_HOME: DIR }).exports;
}
