import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../support/fixtures.js';
import { savedResult, scanWithPlugin } from './bundled-plugin-scan.js';

interface HasherEntry {
  path: string;
  name: string;
  isDir: boolean;
  hashes: { md5?: string; sha1?: string; sha256?: string };
}

/** A name with a space, double and single quotes, a backslash and non-ASCII UTF-8 (2-, 3- and 4-byte). */
const AWKWARD = `we ird "quoted" it's \\ ñame-日本-😀.txt`;

/** What file-hasher should list for `root`, computed here with node:crypto. */
async function expectedEntries(root: string): Promise<HasherEntry[]> {
  const entries: HasherEntry[] = [];
  for (const dirent of await readdir(root, { recursive: true, withFileTypes: true })) {
    const full = join(dirent.parentPath, dirent.name);
    const path = relative(root, full).split(sep).join('/');
    if (dirent.isDirectory()) {
      entries.push({ path, name: dirent.name, isDir: true, hashes: {} });
    } else {
      const bytes = await readFile(full);
      const hash = (algorithm: string): string => createHash(algorithm).update(bytes).digest('hex');
      entries.push({ path, name: dirent.name, isDir: false, hashes: { md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256') } });
    }
  }
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

describe('bundled plugin file-hasher', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await writeTree(repo, {
      LICENSE: 'MIT License\n',
      'src/main.c': 'int main(void) { return 0; }\n',
      'src/nested/deeper/data.bin': Buffer.from([0, 1, 2, 255, 254, 10, 13]),
      'src/nested/empty.txt': '',
      [`docs/${AWKWARD}`]: 'awkward but fine\n',
    });
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('lists every file with the md5, sha1 and sha256 node:crypto computes, and every directory', async () => {
    const scan = await scanWithPlugin('file-hasher', repo, dir.path);
    const text = (await savedResult(scan, dir.path, 'result.json')).toString('utf8');
    const listed = JSON.parse(text) as HasherEntry[];

    // Exactly the fixture's tree, in the plugin's order (sorted by the bytes of the path).
    expect(listed).toEqual(await expectedEntries(repo));

    const byPath = new Map(listed.map((e) => [e.path, e]));
    const main = await readFile(join(repo, 'src', 'main.c'));
    expect(byPath.get('src/main.c')?.hashes.sha256).toBe(createHash('sha256').update(main).digest('hex'));
    for (const directory of ['src', 'src/nested', 'src/nested/deeper', 'docs']) {
      expect(byPath.get(directory)).toMatchObject({ isDir: true, hashes: {} });
    }
    const awkward = byPath.get(`docs/${AWKWARD}`);
    expect(awkward).toMatchObject({ name: AWKWARD, isDir: false });
    expect(awkward?.hashes.md5).toBe(createHash('md5').update('awkward but fine\n').digest('hex'));
    // The plugin writes pure ASCII JSON (non-ASCII as \u escapes), which still reads back exactly.
    expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
  });
});
