import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeUtf8, MAX_SOURCE_FILE_BYTES, readSourceFile } from '../../../src/config/read-source-file.js';
import { tempDir } from '../../support/fixtures.js';

describe('decodeUtf8', () => {
  it('locates the first byte that is not UTF-8 (line and column in characters), past real U+FFFD characters', () => {
    const bytes = Buffer.concat([Buffer.from('version: R1.0\nname: \uFFFDgrüße'), Buffer.from([0xff]), Buffer.from('x\n')]);
    expect(decodeUtf8(bytes, 'p.yaml')).toEqual({
      ok: false,
      problem: { file: 'p.yaml', line: 2, col: 13, message: 'invalid UTF-8: byte 0xff at byte offset 30 is not valid UTF-8; save the file as UTF-8' },
    });
  });

  it('reads valid UTF-8 (a BOM and U+FFFD included) as it is', () => {
    expect(decodeUtf8(Buffer.from('\uFEFFa: "\uFFFD"'), 'p.yaml')).toEqual({ ok: true, text: '\uFEFFa: "\uFFFD"' });
  });
});

describe('readSourceFile', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => dir.remove());

  it('reads a file up to the size limit and refuses a larger one before parsing it', async () => {
    const fits = join(dir.path, 'fits.yaml');
    await writeFile(fits, `a: "${'x'.repeat(MAX_SOURCE_FILE_BYTES - 7)}"\n`);
    expect((await readSourceFile(fits, 'registry file')).ok).toBe(true);
    const big = join(dir.path, 'big.yaml');
    await writeFile(big, 'x'.repeat(MAX_SOURCE_FILE_BYTES + 1));
    expect(await readSourceFile(big, 'registry file')).toEqual({
      ok: false,
      problem: { file: big, message: 'the registry file is larger than 1 MiB, the most pmt reads; is it the right file?' },
    });
  });

  it('says why a file cannot be read, with the errno code for callers', async () => {
    const missing = join(dir.path, 'missing.yaml');
    expect(await readSourceFile(missing, 'config file')).toEqual({
      ok: false,
      problem: { file: missing, message: 'cannot read the config file: no such file' },
      code: 'ENOENT',
    });
  });
});
