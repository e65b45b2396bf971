import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig, writeRegistry, writeTree } from '../../support/fixtures.js';
import { scanJson } from '../../support/scan-json.js';
import { TestImages } from '../../support/test-images.js';

const run = promisify(execFile);

/** Tries to change every mount below /input; prints what it managed to do. */
const VANDAL = [
  'for d in /input/sub /input/sub/deeper; do',
  '  echo x > $d/new 2>/dev/null && echo "WROTE $d/new";',
  '  rm -f $d/keep.txt 2>/dev/null; test -e $d/keep.txt || echo "DELETED $d/keep.txt";',
  '  mkdir $d/dir 2>/dev/null && echo "MKDIR $d/dir";',
  'done;',
  "awk '$5 ~ /^\\/input/ {print $5, $6}' /proc/self/mountinfo;",
].join(' ');

describe('item 3: mount points below the input are read-only for plugins too', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let input: string;
  const mounted: string[] = [];

  beforeEach(async () => {
    dir = await tempDir();
    input = join(dir.path, 'repo');
    await writeTree(input, { LICENSE: 'MIT\n', 'sub/.placeholder': '' });
    // Real mounts below the input: a tmpfs, and another tmpfs inside that one.
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'pmt-test-sub', join(input, 'sub')]);
    mounted.unshift(join(input, 'sub'));
    await writeTree(input, { 'sub/keep.txt': 'keep\n', 'sub/deeper/.placeholder': '' });
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'pmt-test-deeper', join(input, 'sub/deeper')]);
    mounted.unshift(join(input, 'sub/deeper'));
    await writeTree(input, { 'sub/deeper/keep.txt': 'keep\n' });
    await writeConfig(dir.path, { RestApi: false, PathDirLogs: 'logs', PathDirResults: 'results' });
  });
  afterEach(async () => {
    for (const point of mounted.splice(0)) await run('umount', [point]);
    await dir.remove();
  });

  it('a plugin can neither write nor delete on a tmpfs mounted below the input, however deep', async () => {
    const registry = await writeRegistry(dir.path, [{ name: 'vandal', image: TestImages.shell, cmd: `{ ${VANDAL} } > /result/result.txt` }]);
    const { code, report } = await scanJson(['-i', input, '-r', registry, '-p', 'vandal', '--no-cache'], { cwd: dir.path });

    expect(code).toBe(0);
    const seen = await readFile(report.plugins[0]!.results[0]!.localPath, 'utf8');
    expect(seen).not.toMatch(/WROTE|DELETED|MKDIR/);
    // Each mount point is mounted again, read-only.
    expect(seen).toContain('/input/sub ro,');
    expect(seen).toContain('/input/sub/deeper ro,');
    // The host's mounts are untouched.
    expect((await readdir(join(input, 'sub'))).sort()).toEqual(['deeper', 'keep.txt']);
    expect((await readdir(join(input, 'sub/deeper'))).sort()).toEqual(['keep.txt']);
  });
});
