import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo, tempDir } from '../../support/fixtures.js';
import { savedResult, scanWithPlugin } from './bundled-plugin-scan.js';

interface LicenseeJson {
  licenses: { key: string; spdx_id: string }[];
  matched_files: { filename: string; content: string; matched_license: string; matcher: { name: string; confidence: number } }[];
}

describe('bundled plugin licensee', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = await copySampleRepo(dir.path);
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('names Apache-2.0 for the LICENSE of the sample project', async () => {
    const scan = await scanWithPlugin('licensee', repo, dir.path);
    const result = JSON.parse((await savedResult(scan, dir.path, 'result.json')).toString('utf8')) as LicenseeJson;

    expect(result.licenses.map((l) => l.spdx_id)).toEqual(['Apache-2.0']);
    const license = result.matched_files.find((f) => f.filename === 'LICENSE');
    expect(license?.matched_license).toBe('Apache-2.0');
    expect(license?.matcher.confidence).toBeGreaterThanOrEqual(90);
    // licensee read the file pmt mounted: the content it reports is the fixture's, byte for byte.
    expect(license?.content).toBe(await readFile(join(repo, 'LICENSE'), 'utf8'));
  });
});
