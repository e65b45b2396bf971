import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './fixtures.js';

const run = promisify(execFile);

export interface PackedInstall {
  /** `npm install -g --prefix` target: `bin/pmt`, `lib/node_modules/pmt`. */
  readonly prefix: string;
  readonly bin: string;
  readonly packageDir: string;
}

/**
 * `npm pack` of this checkout (already built by `npm test`, so without running prepack again) and
 * `npm install -g --prefix DIR` of the tarball, as a user installs pmt. Dependencies come from the
 * npm cache where it has them; install scripts are skipped (they only build ssh2's optional native
 * speed-ups, ~20 s here, which pmt does not use).
 */
export async function packAndInstall(into: string): Promise<PackedInstall> {
  await mkdir(into, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', into], { cwd: REPO_ROOT });
  const tarball = join(into, stdout.trim().split('\n').at(-1)!);
  const prefix = join(into, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: into,
  });
  return { prefix, bin: join(prefix, 'bin', 'pmt'), packageDir: join(prefix, 'lib', 'node_modules', 'pmt') };
}
