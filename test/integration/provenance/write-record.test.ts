import { lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import { exitCodeOf } from '../../../src/engine/scan-report.js';
import { writeProvenanceRecord } from '../../../src/sinks/provenance-record.js';
import { tempDir } from '../../support/fixtures.js';
import { savedRun } from '../../support/provenance-run.js';

describe('writing the provenance record', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('pmt-record-');
  });
  afterEach(async () => {
    await dir.remove();
  });
  const options = (at: string) => ({ config: DEFAULT_CONFIG, signer: undefined, dir: at, timeoutOverrideMs: undefined, logger: pino({ level: 'silent' }) });

  it('replaces a link planted at its name instead of writing through it', async () => {
    const victim = join(dir.path, 'victim.txt');
    await writeFile(victim, 'keep me');
    await symlink(victim, join(dir.path, 'pmt-provenance.intoto.json'));
    const outcome = await writeProvenanceRecord(await savedRun(dir.path), options(dir.path));
    expect(outcome.error).toBeUndefined();
    expect(await readFile(victim, 'utf8')).toBe('keep me');
    expect((await lstat(outcome.path!)).isFile()).toBe(true);
    expect(JSON.parse(await readFile(outcome.path!, 'utf8'))).toMatchObject({ payloadType: 'application/vnd.in-toto+json', signatures: [] });
  });

  it('reports a record it cannot write, and the run then exits 1', async () => {
    const report = await savedRun(dir.path);
    const gone = join(dir.path, 'no-such-dir');
    const outcome = await writeProvenanceRecord(report, options(gone));
    expect(outcome).toMatchObject({ path: undefined, error: `cannot write ${join(gone, 'pmt-provenance.intoto.json')}: ENOENT` });
    expect(exitCodeOf({ ...report, provenance: outcome })).toBe(1);
    expect(exitCodeOf({ ...report, provenance: { ...outcome, path: join(dir.path, 'x'), error: undefined } })).toBe(0);
  });
});
