import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildContextHash } from '../../../src/build/build-context-hash.js';
import { REPO_ROOT, tempDir } from '../../support/fixtures.js';

/** The pipeline scripts/build-plugins.sh labelled images with before pmt computed the hash itself. */
function shellHash(dir: string): string {
  return execFileSync('bash', ['-c', '(cd "$1" && find . -type f -not -path "*/node_modules/*" -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16', 'hash', dir], {
    encoding: 'utf8',
  }).trim();
}

describe('buildContextHash', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-build-hash-');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('is what the shell pipeline prints, for the bundled plugins', async () => {
    for (const name of ['licensee', 'scancode', 'file-hasher', 'cyclonedx']) {
      const path = join(REPO_ROOT, 'plugins', name);
      expect(await buildContextHash(path)).toBe(shellHash(path));
    }
  });

  it('matches for names sort orders and escapes differ on (UTF-8, upper case, backslash, newline), and ignores links', async () => {
    await mkdir(join(dir.path, 'sub/deeper'), { recursive: true });
    await writeFile(join(dir.path, 'Dockerfile'), 'FROM debian:bookworm-slim\n');
    await writeFile(join(dir.path, 'a b'), 'space');
    await writeFile(join(dir.path, 'Zeta'), 'upper');
    await writeFile(join(dir.path, 'ärger'), 'utf-8');
    await writeFile(join(dir.path, 'back\\slash'), 'backslash');
    await writeFile(join(dir.path, 'new\nline'), 'newline');
    await writeFile(join(dir.path, 'sub/deeper/x'), 'x');
    await writeFile(join(dir.path, 'sub.txt'), 'sorted after sub/ by bytes');
    await symlink('Dockerfile', join(dir.path, 'link'));
    await mkdir(join(dir.path, 'empty'));
    const before = await buildContextHash(dir.path);
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    expect(before).toBe(shellHash(dir.path));

    await writeFile(join(dir.path, 'sub/deeper/x'), 'changed');
    expect(await buildContextHash(dir.path)).not.toBe(before);
  });

  it('leaves out node_modules directories (installed from a lock file that is hashed)', async () => {
    await mkdir(join(dir.path, 'generator/node_modules/pkg'), { recursive: true });
    await writeFile(join(dir.path, 'generator/package-lock.json'), '{}\n');
    const before = await buildContextHash(dir.path);
    await writeFile(join(dir.path, 'generator/node_modules/pkg/index.js'), 'installed\n');
    expect(await buildContextHash(dir.path)).toBe(before);
    await writeFile(join(dir.path, 'generator/package-lock.json'), '{"changed":true}\n');
    expect(await buildContextHash(dir.path)).not.toBe(before);
  });
});
