import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../fs/make-dirs.js';
import type { ContextOverlay } from './build-context.js';

/** Written into node_modules after an install: it is complete. */
const STAMP = '.pmt-lock-sha256';

export type NpmInstall = { readonly overlays: readonly ContextOverlay[] } | { readonly failure: string };

/**
 * npm packages a build directory pins for its image in `<dir>/*\/package-lock.json`, installed on
 * this machine (the npm registry is reached from here, not from inside a build): `npm ci` without
 * dev or optional packages and without install scripts, into `cacheDir/<sha256 of package.json and
 * lock>/` — never into the build directory, which may be part of a read-only global install — and
 * only once per lock. Each install becomes `<subdir>/node_modules` of the build context. Output goes
 * to `log`.
 */
export async function installNpmPackages(dir: string, cacheDir: string, log: (text: string) => void): Promise<NpmInstall> {
  const overlays: ContextOverlay[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name !== 'node_modules')) {
    const packageDir = join(dir, entry.name);
    const [manifest, lock] = await Promise.all(['package.json', 'package-lock.json'].map((f) => readFile(join(packageDir, f)).catch(() => undefined)));
    if (lock === undefined) continue;
    if (manifest === undefined) return { failure: `${packageDir} has a package-lock.json but no package.json` };
    const key = createHash('sha256').update(manifest).update('\0').update(lock).digest('hex');
    const installed = join(cacheDir, key);
    if ((await readFile(join(installed, 'node_modules', STAMP), 'utf8').catch(() => '')).trim() !== key) {
      const failure = await install(packageDir, installed, key, log);
      if (failure) return { failure };
    }
    overlays.push({ at: `${entry.name}/node_modules`, from: join(installed, 'node_modules') });
  }
  return { overlays };
}

/** `npm ci` in a fresh temp dir beside `installed`, renamed into place once complete (runs may race). */
async function install(packageDir: string, installed: string, key: string, log: (text: string) => void): Promise<string | undefined> {
  await makeDirs(join(installed, '..'));
  const scratch = await mkdtemp(`${installed}.tmp-`);
  try {
    await Promise.all(['package.json', 'package-lock.json'].map((f) => copyFile(join(packageDir, f), join(scratch, f))));
    log(`pmt: installing the npm packages of ${packageDir} into ${installed}\n`);
    const args = ['ci', '--prefix', scratch, '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    const result = await run('npm', args, log);
    if (result.code !== 0) return `installing the npm packages of ${packageDir} failed (npm ci exit ${result.code}): ${result.lastLine || 'see the log'}`;
    await makeDirs(join(scratch, 'node_modules')); // npm makes none for a lock without packages
    await writeFile(join(scratch, 'node_modules', STAMP), `${key}\n`);
    await rename(scratch, installed).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      // Another pmt finished the same install first: theirs is as good as ours. A damaged one goes.
      if ((await readFile(join(installed, 'node_modules', STAMP), 'utf8').catch(() => '')).trim() === key) return;
      await rm(installed, { recursive: true, force: true });
      await rename(scratch, installed);
    });
    return undefined;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], log: (text: string) => void): Promise<{ code: number; lastLine: string }> {
  return new Promise((resolve) => {
    let lastLine = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (chunk: Buffer): void => {
      const text = chunk.toString();
      log(text);
      lastLine = text.trim().split('\n').filter(Boolean).at(-1) ?? lastLine;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (error) => resolve({ code: 127, lastLine: error.message }));
    child.once('close', (code) => resolve({ code: code ?? 1, lastLine }));
  });
}
