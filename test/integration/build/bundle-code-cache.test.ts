import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/fixtures.js';

// pmt is one CommonJS bundle (dist/pmt-main.cjs) that its bin (dist/pmt.cjs) runs with a V8 code
// cache: the one the build recorded, else the user's own (scripts/bundle.mjs, scripts/bundle/code-cache-loader.cjs).

const run = promisify(execFile);
const DIST = join(REPO_ROOT, 'dist');
const LOADER = join(REPO_ROOT, 'scripts', 'bundle', 'code-cache-loader.cjs');
const V8 = process.versions.v8.replace(/-.*$/, '');
const HELP_LINE = 'Product Model Toolkit client';

/** `pmt ARGS` from the bundle `file` through the loader, in a fresh Node with the default flags: its output and how the cache served. */
async function runThroughLoader(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; served: string }> {
  const runner = join(await scratch(), 'runner.cjs');
  await writeFile(runner, `const { served } = require(${JSON.stringify(LOADER)}).runBundle(${JSON.stringify(file)}); process.on('exit', () => process.stderr.write('served=' + served));`);
  const { stdout, stderr } = await run(process.execPath, [runner, ...args], { env: { ...process.env, NODE_OPTIONS: '', ...env } });
  return { stdout, served: /served=(\w+)$/.exec(stderr)![1]! };
}

const temps: string[] = [];
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pmt-code-cache-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A package of its own with the bundle (edited by `edit`) and package.json, without the shipped cache. */
async function bundleCopy(edit: (text: string) => string = (text) => text): Promise<{ root: string; file: string }> {
  const root = await scratch();
  await mkdir(join(root, 'dist'));
  await copyFile(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  const file = join(root, 'dist', 'pmt-main.cjs');
  await writeFile(file, edit(await readFile(join(DIST, 'pmt-main.cjs'), 'latin1')), 'latin1');
  return { root, file };
}

describe('the bundle and its code cache', () => {
  it('the build leaves the bin, the bundle and one cache for this V8, which serves: no user cache is written', async () => {
    const names = (await readdir(DIST)).filter((n) => n.startsWith('pmt'));
    expect(names.filter((n) => n.endsWith('.mjs'))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['pmt.cjs', 'pmt-main.cjs', 'pmt-main.cjs.LEGAL.txt']));
    expect(names.filter((n) => n.startsWith('pmt-main.cjs.') && n.endsWith(`.v8-${V8}.cache`))).toHaveLength(1);
    expect(await readFile(join(DIST, 'pmt-main.cjs'), 'latin1')).not.toMatch(/[^\x00-\x7f]/);
    const xdg = await scratch();
    const help = await runThroughLoader(join(DIST, 'pmt-main.cjs'), ['--help'], { XDG_CACHE_HOME: xdg });
    expect(help.stdout).toContain(HELP_LINE);
    expect(help.served).toBe('shipped');
    expect(await readdir(xdg)).toEqual([]);
    // The bin itself: the loader and its call.
    const bin = await run(process.execPath, [join(DIST, 'pmt.cjs'), '-V'], { env: { ...process.env, XDG_CACHE_HOME: xdg } });
    expect(bin.stdout).toBe(`${JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`);
    expect(await readdir(xdg)).toEqual([]);
  });

  it('a copy elsewhere (an install) takes the same cache, and its stack traces name the bundle, not the build\'s directory', async () => {
    const shipped = (await readdir(DIST)).find((n) => n.startsWith('pmt-main.cjs.') && n.endsWith('.cache'))!;
    const { root, file } = await bundleCopy();
    await copyFile(join(DIST, shipped), join(root, 'dist', shipped));
    const runner = join(root, 'runner.cjs');
    await writeFile(runner, `const { served } = require(${JSON.stringify(LOADER)}).runBundle(${JSON.stringify(file)}); process.on('exit', () => process.stderr.write('served=' + served));`);
    const failed = await run(process.execPath, [runner, 'scan', '--debug', '-r', join(root, 'missing.yaml')], { env: { ...process.env, NODE_OPTIONS: '', XDG_CACHE_HOME: await scratch() } }).catch((error: { stderr: string }) => error);
    expect(failed.stderr).toMatch(/served=shipped$/);
    expect(failed.stderr).toMatch(/ConfigError: .*missing\.yaml: cannot read the registry file/);
    expect(failed.stderr).toMatch(/\(pmt-main\.cjs:\d+:\d+\)/);
    expect(failed.stderr).not.toContain(DIST);
  });

  it('never runs the bundle with the cache of another text, even one of the same length', async () => {
    const shipped = (await readdir(DIST)).find((n) => n.startsWith('pmt-main.cjs.') && n.endsWith('.cache'))!;
    const { file } = await bundleCopy((text) => text.replace(HELP_LINE, 'Product Model Toolkit CLIENT'));
    expect((await stat(file)).size).toBe((await stat(join(DIST, 'pmt-main.cjs'))).size);
    // What V8 alone does: it takes the old cache (same length) and runs the OLD code.
    await copyFile(join(DIST, shipped), join(file, '..', 'stale.cache'));
    const bare = `
      const { readFileSync } = require('node:fs'); const vm = require('node:vm'); const { wrap, createRequire } = require('node:module');
      const file = ${JSON.stringify(file)};
      const script = new vm.Script(wrap(readFileSync(file, 'latin1')), { filename: file, cachedData: readFileSync(${JSON.stringify(join(file, '..', 'stale.cache'))}) });
      process.on('exit', () => process.stderr.write('rejected=' + script.cachedDataRejected));
      const m = { exports: {} }; script.runInThisContext().call(m.exports, m.exports, createRequire(file), m, file, require('node:path').dirname(file));`;
    const bareRunner = join(file, '..', 'bare.cjs');
    await writeFile(bareRunner, bare);
    const stale = await run(process.execPath, [bareRunner, '--help'], { env: { ...process.env, NODE_OPTIONS: '' } });
    expect(stale.stderr).toBe('rejected=false');
    expect(stale.stdout).toContain(HELP_LINE);
    // The loader looks the cache up by the text's hash: the edited bundle finds none and runs as written.
    await copyFile(join(DIST, shipped), join(file, '..', shipped));
    const edited = await runThroughLoader(file, ['--help'], { XDG_CACHE_HOME: await scratch() });
    expect(edited.served).toBe('none');
    expect(edited.stdout).toContain('Product Model Toolkit CLIENT');
  });

  it('without a cache that serves, the run leaves one of this user\'s (0700/0600), which the next run takes', async () => {
    const { file } = await bundleCopy();
    const xdg = await scratch();
    expect((await runThroughLoader(file, ['-V'], { XDG_CACHE_HOME: xdg })).served).toBe('none');
    const dir = join(xdg, 'pmt', 'code');
    const [written] = await readdir(dir);
    expect(written).toMatch(new RegExp(`^pmt-main\\.cjs\\.[0-9a-f]{16}\\.v8-${V8.replace(/\./g, '\\.')}\\.cache$`));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, written!))).mode & 0o777).toBe(0o600);
    const before = (await stat(join(dir, written!))).mtimeMs;
    const second = await runThroughLoader(file, ['--help'], { XDG_CACHE_HOME: xdg });
    expect(second).toMatchObject({ served: 'user' });
    expect(second.stdout).toContain(HELP_LINE);
    expect((await stat(join(dir, written!))).mtimeMs).toBe(before);
  });

  it('a user cache someone else could have written is neither read nor replaced', async () => {
    const { file } = await bundleCopy();
    const xdg = await scratch();
    await runThroughLoader(file, ['-V'], { XDG_CACHE_HOME: xdg });
    const dir = join(xdg, 'pmt', 'code');
    const [written] = await readdir(dir);
    const cache = join(dir, written!);
    const bytes = await readFile(cache);
    // Group-writable directory: not read, and nothing written into it.
    await chmod(dir, 0o770);
    expect((await runThroughLoader(file, ['-V'], { XDG_CACHE_HOME: xdg })).served).toBe('none');
    expect(await readdir(dir)).toEqual([written]);
    expect(await readFile(cache)).toEqual(bytes);
    // A file of another user in a private directory: not read either.
    await chmod(dir, 0o700);
    await chown(cache, 65534, 65534);
    expect((await runThroughLoader(file, ['-V'], { XDG_CACHE_HOME: xdg })).served).toBe('none');
  });
});
