import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Written into node_modules after an install: the sha256 of the lock file it was installed from. */
const STAMP = '.pmt-lock-sha256';

/**
 * npm packages a build directory pins for its image in `<dir>/*\/package-lock.json`, installed on
 * this machine first (the npm registry is reached from here, not from inside a build): `npm ci`
 * without dev or optional packages and without install scripts, only when the lock file changed
 * since the last install. node_modules is then copied in with the build context (and left out of
 * its hash). Output goes to `log`; resolves with a one-line failure, or undefined.
 */
export async function installNpmPackages(dir: string, log: (text: string) => void): Promise<string | undefined> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.filter((e) => e.isDirectory() && e.name !== 'node_modules')) {
    const packageDir = join(dir, entry.name);
    const lock = await readFile(join(packageDir, 'package-lock.json')).catch(() => undefined);
    if (lock === undefined) continue;
    const want = createHash('sha256').update(lock).digest('hex');
    const stamp = join(packageDir, 'node_modules', STAMP);
    if ((await readFile(stamp, 'utf8').catch(() => '')).trim() === want) continue;
    log(`pmt: installing the npm packages of ${packageDir}\n`);
    const args = ['ci', '--prefix', packageDir, '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    const result = await run('npm', args, log);
    if (result.code !== 0) return `installing the npm packages of ${packageDir} failed (npm ci exit ${result.code}): ${result.lastLine || 'see the log'}`;
    await writeFile(stamp, `${want}\n`);
  }
  return undefined;
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
