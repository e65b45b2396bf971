import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../support/fixtures.js';
import { savedResult, scanWithPlugin } from './bundled-plugin-scan.js';

/**
 * An SPDX tag-value document read strictly: every line is `Tag: value`, except the lines of a
 * multi-line `<text>…</text>` value and the blank lines between sections. Fails on anything else.
 */
function readTagValue(document: string): { tag: string; value: string }[] {
  const pairs: { tag: string; value: string }[] = [];
  const lines = document.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const match = /^([A-Za-z][A-Za-z0-9]*): (.*)$/.exec(line);
    if (!match) throw new Error(`line ${i + 1} is not "Tag: value": ${JSON.stringify(line)}`);
    let value = match[2]!;
    if (value.startsWith('<text>')) {
      while (!value.includes('</text>')) {
        i++;
        if (i >= lines.length) throw new Error(`<text> of ${match[1]} is never closed`);
        value += `\n${lines[i]}`;
      }
    }
    pairs.push({ tag: match[1]!, value });
  }
  return pairs;
}

/** File sections: from one `FileName` up to the next `FileName`, in order. */
function fileSections(pairs: readonly { tag: string; value: string }[]): Map<string, Map<string, string[]>> {
  const files = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const { tag, value } of pairs) {
    if (tag === 'FileName') files.set(value, (current = new Map()));
    else if (current) current.set(tag, [...(current.get(tag) ?? []), value]);
  }
  return files;
}

describe('bundled plugin reuse', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await writeTree(repo, {
      'LICENSES/MIT.txt': 'MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy ...\n',
      'src/main.c': '// SPDX-FileCopyrightText: 2026 Jane Doe\n// SPDX-License-Identifier: MIT\nint main(void) { return 0; }\n',
      'README.md': '# a fixture without licensing information\n',
    });
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('writes a valid SPDX tag-value document naming MIT for the MIT-tagged file', async () => {
    const scan = await scanWithPlugin('reuse', repo, dir.path);
    const spdx = (await savedResult(scan, dir.path, 'result.spdx')).toString('utf8');

    expect(spdx.startsWith('SPDXVersion: SPDX-2.')).toBe(true);
    const pairs = readTagValue(spdx);
    const first = (tag: string): string | undefined => pairs.find((p) => p.tag === tag)?.value;
    expect(first('DataLicense')).toBe('CC0-1.0');
    expect(first('SPDXID')).toBe('SPDXRef-DOCUMENT');
    expect(first('DocumentNamespace')).toMatch(/^https?:\/\/\S+$/);

    const files = fileSections(pairs);
    const main = files.get('./src/main.c');
    expect(main?.get('LicenseInfoInFile')).toEqual(['MIT']);
    expect(main?.get('FileCopyrightText')?.[0]).toContain('2026 Jane Doe');
    const sha1 = createHash('sha1').update(await readFile(join(repo, 'src', 'main.c'))).digest('hex');
    expect(main?.get('FileChecksum')).toEqual([`SHA1: ${sha1}`]);
    expect(files.get('./README.md')?.get('LicenseInfoInFile')).toBeUndefined();

    // Every file has its own SPDXID, and the document describes exactly those.
    const fileIds = [...files.values()].map((f) => f.get('SPDXID')?.[0]);
    expect(fileIds.every((id) => id !== undefined && /^SPDXRef-[A-Za-z0-9.-]+$/.test(id))).toBe(true);
    expect(new Set(fileIds).size).toBe(fileIds.length);
    const described = pairs.filter((p) => p.tag === 'Relationship').map((p) => p.value.replace(/^SPDXRef-DOCUMENT describes /i, ''));
    expect(described.sort()).toEqual([...fileIds].sort());
  });
});
