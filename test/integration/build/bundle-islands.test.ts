import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/fixtures.js';

// The bundle (npm test builds it first) loads its start-up libraries as CommonJS islands with a V8
// code cache made by the build (scripts/bundle.mjs, scripts/bundle/island-loader.cjs).

const run = promisify(execFile);
const DIST = join(REPO_ROOT, 'dist');
const LOADER = join(REPO_ROOT, 'scripts', 'bundle', 'island-loader.cjs');
const ISLANDS = ['yaml', 'semver', 'commander', 'dockerode'];

/** Loads island `name` from `dir` in a fresh Node (its own V8 flags: the defaults), parses YAML with it if it is yaml. */
async function loadInChild(name: string, dir: string): Promise<{ served: string; parsed?: unknown }> {
  const script = `
    const { loadIsland, loadedIslands } = require(${JSON.stringify(LOADER)});
    const exports = loadIsland(${JSON.stringify(name)}, ${JSON.stringify(dir)});
    const parsed = ${JSON.stringify(name)} === 'yaml' ? exports.parse('plugins: [a, b]') : undefined;
    process.stdout.write(JSON.stringify({ served: loadedIslands()[0].served, parsed }));`;
  const { stdout } = await run(process.execPath, ['-e', script], { env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(stdout) as { served: string; parsed?: unknown };
}

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('bundle islands', () => {
  it('the bundle takes yaml, semver, commander and dockerode from islands, each with a code cache for this V8 that serves', async () => {
    const names = await readdir(DIST);
    const v8 = process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_');
    for (const island of ISLANDS) {
      expect(names).toContain(`pmt-island-${island}.cjs`);
      expect(names.filter((n) => n.startsWith(`pmt-island-${island}.cjs.v8-${v8}.`) && n.endsWith('.cache'))).toHaveLength(1);
      expect((await loadInChild(island, DIST)).served).toBe('used');
    }
    expect(await loadInChild('yaml', DIST)).toEqual({ served: 'used', parsed: { plugins: ['a', 'b'] } });
    // pmt's own modules carry no copy of the libraries: a message of yaml's parser is only in its island.
    const modules = names.filter((n) => /^pmt.*\.mjs$/.test(n));
    const texts = await Promise.all(modules.map((n) => readFile(join(DIST, n), 'utf8')));
    expect(texts.some((text) => text.includes('loadIsland("yaml"'))).toBe(true);
    expect(texts.filter((text) => text.includes('Implicit map keys need to be'))).toEqual([]);
    expect(await readFile(join(DIST, 'pmt-island-yaml.cjs'), 'utf8')).toContain('Implicit map keys need to be');
  });

  it('never compiles an island with the cache of another text, even one of the same length', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pmt-islands-'));
    temps.push(dir);
    const cache = (await readdir(DIST)).find((n) => n.startsWith('pmt-island-yaml.cjs.v8-') && n.endsWith('.cache'))!;
    const source = await readFile(join(DIST, 'pmt-island-yaml.cjs'), 'utf8');
    const edited = source.replace('Implicit map keys need to be', 'Implicit map KEYS need to be');
    expect(edited.length).toBe(source.length);
    await writeFile(join(dir, 'pmt-island-yaml.cjs'), edited);
    await copyFile(join(DIST, cache), join(dir, cache));
    // What V8 alone does: it takes the cache (same length) and runs the OLD code.
    const bare = `
      const { readFileSync } = require('node:fs'); const vm = require('node:vm'); const { wrap } = require('node:module');
      const script = new vm.Script(wrap(readFileSync(${JSON.stringify(join(dir, 'pmt-island-yaml.cjs'))}, 'utf8')), { cachedData: readFileSync(${JSON.stringify(join(dir, cache))}) });
      const m = { exports: {} }; script.runInThisContext().call(m.exports, m.exports, require, m, 'x', '.');
      try { m.exports.parse('a: 1\\nb'); } catch (error) { process.stdout.write(String(script.cachedDataRejected) + ' ' + error.message.split(' at ')[0]); }`;
    expect((await run(process.execPath, ['-e', bare], { env: { ...process.env, NODE_OPTIONS: '' } })).stdout).toBe('false Implicit map keys need to be followed by map values');
    // The loader looks the cache up by the text's hash: the edited island finds none and runs as written.
    expect(await loadInChild('yaml', dir)).toEqual({ served: 'none', parsed: { plugins: ['a', 'b'] } });
    const failure = `
      const y = require(${JSON.stringify(LOADER)}).loadIsland('yaml', ${JSON.stringify(dir)});
      try { y.parse('a: 1\\nb'); } catch (error) { process.stdout.write(error.message.split(' at ')[0]); }`;
    expect((await run(process.execPath, ['-e', failure], { env: { ...process.env, NODE_OPTIONS: '' } })).stdout).toBe('Implicit map KEYS need to be followed by map values');
  });
});
