import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { readProvenanceRecord } from '../support/provenance-record.js';
import { scanJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';

/** The input digest a run's provenance record names. */
async function recordedInputDigest(resultsDir: string): Promise<string> {
  const { statement } = await readProvenanceRecord<{
    predicate: { buildDefinition: { resolvedDependencies: { name: string; annotations: { inputDigest: string } }[] } };
  }>(resultsDir);
  return statement.predicate.buildDefinition.resolvedDependencies.find((d) => d.name === 'input')!.annotations.inputDigest;
}

describe('--no-cache still digests the input for the record, with the stat cache, and stores no results', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('records the digest a cached run records, learns stats for the next digest, and leaves the result cache empty', async () => {
    const repo = await copySampleRepo(dir.path);
    const registry = await writeRegistry(dir.path, [{ name: 'lister', image: TestImages.shell, cmd: 'ls -R /input > /result/result.txt' }]);
    const config = await writeConfig(dir.path, { PathDirLogs: 'logs', CacheDir: 'cache' });
    const scan = (out: string, extra: string[]) => scanJson(['-i', repo, '-r', registry, '-c', config, '-p', 'lister', '-o', out, ...extra], { cwd: dir.path });

    const uncached = await scan('results-1', ['--no-cache']);
    expect(uncached.code).toBe(0);
    expect(uncached.report.plugins[0]!.status).toBe('succeeded');
    // The stat cache learnt this input; no result was stored (v1 holds nothing but stat/).
    expect(await readdir(join(dir.path, 'cache', 'v1'))).toEqual(['stat']);
    expect((await readdir(join(dir.path, 'cache', 'v1', 'stat'))).length).toBe(1);

    const again = await scan('results-2', ['--no-cache']);
    const cached = await scan('results-3', []);
    expect(cached.report.plugins[0]!.status).toBe('succeeded'); // nothing to hit: --no-cache stored nothing
    const digests = await Promise.all(['results-1', 'results-2', 'results-3'].map((d) => recordedInputDigest(join(dir.path, d))));
    expect(digests[0]).toMatch(/^walk:[0-9a-f]{64}$/);
    expect(new Set(digests)).toEqual(new Set([digests[0]]));
    expect(again.code).toBe(0);
  });
});
