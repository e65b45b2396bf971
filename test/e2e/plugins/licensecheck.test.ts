import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_REPO, tempDir, writeTree } from '../../support/fixtures.js';
import { savedResult, scanWithPlugin } from './bundled-plugin-scan.js';

describe('bundled plugin licensecheck', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await writeTree(repo, {
      LICENSE: await readFile(join(SAMPLE_REPO, 'LICENSE')),
      'src/main.c': '// SPDX-FileCopyrightText: 2026 Jane Doe\n// SPDX-License-Identifier: MIT\nint main(void) { return 0; }\n',
      'notes.txt': 'nothing about licensing here\n',
    });
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('writes one TSV line per file: LICENSE is Apache-2.0, the MIT-tagged source is MIT', async () => {
    const scan = await scanWithPlugin('licensecheck', repo, dir.path);
    const tsv = (await savedResult(scan, dir.path, 'result.tsv')).toString('utf8');

    const lines = tsv.split('\n').filter((line) => line !== '');
    const rows = lines.map((line) => line.split('\t'));
    // path <TAB> license <TAB> copyright, paths as the container sees them.
    expect(rows.every((row) => row.length === 3)).toBe(true);
    const byPath = new Map(rows.map(([path, license, copyright]) => [path, { license, copyright }]));
    expect([...byPath.keys()].sort()).toEqual(['/input/LICENSE', '/input/notes.txt', '/input/src/main.c']);
    expect(byPath.get('/input/LICENSE')?.license).toBe('Apache-2.0');
    expect(byPath.get('/input/src/main.c')).toEqual({ license: 'MIT', copyright: '2026 Jane Doe' });
    expect(byPath.get('/input/notes.txt')?.license).toBe('UNKNOWN');
  });
});
