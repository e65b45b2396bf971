import { createHash, generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersWithLabels, docker } from '../support/engine-state.js';
import { FakePmtServer } from '../support/fake-pmt-server.js';
import { copySampleRepo, tempDir, writeConfig, writeRegistry } from '../support/fixtures.js';
import { readProvenanceRecord, PROVENANCE_RECORD, type Envelope } from '../support/provenance-record.js';
import { runPmt } from '../support/run-pmt.js';
import { scanJson, type ScanReportJson } from '../support/scan-json.js';
import { TestImages } from '../support/test-images.js';


const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('provenance records of real scans, and pmt verify', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repo: string;
  let registry: string;
  let server: FakePmtServer;
  let keyId: string;
  /** The base64 body of the private key: it must never appear anywhere pmt writes. */
  let secret: string;
  let privatePem: string;
  let first: { code: number; report: ScanReportJson; stderr: string };
  let second: { code: number; report: ScanReportJson; stderr: string };
  const results = (name: string): string => join(dir.path, name);
  const pmt = (args: string[], env: NodeJS.ProcessEnv = {}) => runPmt(args, { cwd: dir.path, env: { XDG_CACHE_HOME: join(dir.path, 'cache'), ...env } });

  beforeAll(async () => {
    dir = await tempDir('pmt-provenance-');
    repo = await copySampleRepo(dir.path);
    server = new FakePmtServer();
    await server.start();
    const keygen = await pmt(['keygen', '-o', 'signing']);
    expect(keygen.code).toBe(0);
    keyId = /Key id: +([0-9a-f]{64}) \(ed25519\)/.exec(keygen.stdout)![1]!;
    privatePem = await readFile(join(dir.path, 'signing.key'), 'utf8');
    secret = privatePem.split('\n')[1]!;
    await writeConfig(dir.path, { PathDirLogs: 'logs', ProvenanceKey: 'signing.key' });
    registry = await writeRegistry(dir.path, [
      // No curl in this image: REST falls back to archive copy, so both transports are recorded.
      { name: 'lister', image: TestImages.shell, cmd: 'ls -R /input > /result/result.txt' },
      { name: 'hasher', image: TestImages.curl, cmd: 'sha256sum /input/LICENSE > /result/sums.txt', results: ['sums.txt'] },
    ]);
    const scan = (out: string, extra: string[], env: NodeJS.ProcessEnv = {}) =>
      scanJson(['-i', repo, '-r', registry, '-p', 'lister,hasher', '-o', out, '--log-level', 'debug', '--log-format', 'json', ...extra], {
        cwd: dir.path,
        env: { XDG_CACHE_HOME: join(dir.path, 'cache'), ...env },
      });
    first = await scan('results-1', []);
    // Served from the cache, with the key given as PEM text in the environment, and a PMT server.
    second = await scan('results-2', ['--server', server.url], { PMT_PROVENANCE_KEY: privatePem });
  });
  afterAll(async () => {
    await server?.close();
    await dir?.remove();
  });

  it('writes a record whose subjects are exactly the saved result files, and names it in --json', async () => {
    expect(first.code).toBe(0);
    expect(first.report.plugins.map((p) => [p.name, p.status, p.transport])).toEqual([
      ['lister', 'succeeded', 'archive'],
      ['hasher', 'succeeded', 'rest'],
    ]);
    expect(first.report.provenance).toEqual({ path: join(results('results-1'), PROVENANCE_RECORD), signed: true, keyId, subjects: 2, uploaded: false, error: null });
    const { envelope, statement } = await readProvenanceRecord(results('results-1'));
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(envelope.signatures.map((s) => s.keyid)).toEqual([keyId]);
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    const saved = (await readdir(results('results-1'))).filter((name) => name !== PROVENANCE_RECORD).sort();
    expect(saved).toEqual(['hasher_sums.txt', 'lister_result.txt']);
    const subjects = [...statement.subject].sort((a: any, b: any) => a.name.localeCompare(b.name));
    expect(subjects).toEqual(await Promise.all(saved.map(async (name) => ({ name, digest: { sha256: sha256(await readFile(join(results('results-1'), name))) } }))));
  });

  it('records the image ids and repo digests the engine reports, the engine, and each plugin run', async () => {
    const { statement } = await readProvenanceRecord(results('results-1'));
    const images = statement.predicate.buildDefinition.resolvedDependencies.filter((d: any) => d.name !== 'input');
    expect(images.map((d: any) => d.annotations.plugin)).toEqual(['lister', 'hasher']);
    for (const image of images) {
      const inspected = await docker.getImage(image.name).inspect();
      expect(image.annotations.imageId).toBe(inspected.Id);
      expect(image.digest).toEqual({ sha256: inspected.Id.replace('sha256:', '') });
      expect(image.annotations.repoDigests).toEqual(inspected.RepoDigests ?? []);
    }
    const version = await docker.version();
    expect(statement.predicate.runDetails.builder.builderDependencies[0].annotations).toEqual({ version: version.Version, apiVersion: version.ApiVersion, location: 'local' });
    expect(statement.predicate.runDetails.metadata.invocationId).toBe(first.report.runId);
    const runs = statement.predicate.runDetails.byproducts;
    expect(runs.map((r: any) => [r.name, r.annotations.status, r.annotations.exitCode, r.annotations.transport, r.annotations.cache])).toEqual([
      ['lister', 'succeeded', 0, 'archive', null],
      ['hasher', 'succeeded', 0, 'rest', null],
    ]);
    for (const run of runs) expect(Date.parse(run.annotations.finishedOn)).toBeGreaterThanOrEqual(Date.parse(run.annotations.startedOn));
  });

  it('records the same input digest in a second run, which is served from the cache and names the run it came from', async () => {
    expect(second.code).toBe(0);
    expect(second.report.plugins.map((p) => p.status)).toEqual(['cached', 'cached']);
    const [one, two] = await Promise.all([readProvenanceRecord(results('results-1')), readProvenanceRecord(results('results-2'))]);
    const input = (s: any) => s.predicate.buildDefinition.resolvedDependencies.find((d: any) => d.name === 'input');
    expect(input(one.statement).annotations.inputDigest).toMatch(/^walk:[0-9a-f]{64}$/);
    expect(input(two.statement)).toEqual(input(one.statement));
    for (const run of two.statement.predicate.runDetails.byproducts) {
      expect(run.annotations).toMatchObject({ status: 'cached', transport: 'cache', cache: { origin: { invocationId: first.report.runId, exitCode: 0 } } });
    }
    // Same files, same subjects; the key from PMT_PROVENANCE_KEY is the same key.
    expect(two.statement.subject).toEqual(one.statement.subject);
    expect(two.envelope.signatures.map((s) => s.keyid)).toEqual([keyId]);
  });

  it('keeps the record local with --server: only result files are uploaded', async () => {
    expect(server.uploads.map((u) => u.importer).sort()).toEqual(['hasher', 'lister']);
    const record = await readFile(join(results('results-2'), PROVENANCE_RECORD));
    expect(server.requests.some((r) => r.body.includes(record.subarray(0, 64)))).toBe(false);
    expect(second.report.provenance).toMatchObject({ uploaded: false, signed: true });
  });

  it('with SaveResultsLocally false writes the record, unsigned without a key, into the logs directory', async () => {
    const config = join(dir.path, 'nosave', 'core_engine_config.json');
    await mkdir(join(dir.path, 'nosave'));
    await writeConfig(join(dir.path, 'nosave'), { SaveResultsLocally: false, PathDirLogs: 'logs' });
    const { code, report } = await scanJson(['-i', repo, '-r', registry, '-c', config, '-p', 'lister'], { cwd: dir.path, env: { XDG_CACHE_HOME: join(dir.path, 'cache') } });
    expect(code).toBe(0);
    expect(report.resultsDir).toBeNull();
    const logs = join(dir.path, 'nosave', 'logs');
    expect(report.provenance).toEqual({ path: join(logs, PROVENANCE_RECORD), signed: false, keyId: null, subjects: 1, uploaded: false, error: null });
    const { envelope, statement } = await readProvenanceRecord(logs);
    expect(envelope.signatures).toEqual([]);
    expect(statement.subject).toEqual([{ name: 'lister_result.txt', digest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } }]);
  });

  it('pmt verify passes for both runs, one line per subject, with the key and the input', async () => {
    for (const name of ['results-1', 'results-2']) {
      const run = await pmt(['verify', name, '--key', 'signing.pub', '--input', repo]);
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^ok +signature +valid: signed with ed25519 key [0-9a-f]{16}…$/);
      expect(lines.filter((l) => / (hasher_sums|lister_result)\.txt +matches \(sha256 [0-9a-f]{16}…\)$/.test(l))).toHaveLength(2);
      expect(lines).toContainEqual(expect.stringMatching(/^ok +input +matches: /));
      expect(lines.at(-1)).toBe(`Verified: every check of ${results(name)} holds.`);
    }
    const json = await pmt(['verify', 'results-1', '--json']);
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as { dir: string; ok: boolean; checks: { ok: boolean; what: string }[] };
    expect(document).toMatchObject({ dir: results('results-1'), ok: true });
    expect(document.checks.map((c) => c.what).sort()).toEqual(['hasher_sums.txt', 'lister_result.txt', 'signature']);
  });

  it('pmt verify --input holds when the results and logs directories are inside the input (the scan left both out)', async () => {
    const inside = join(dir.path, 'inside');
    await mkdir(inside);
    const config = await writeConfig(inside, { PathDirLogs: join(repo, 'pmt-logs') });
    const out = join(repo, 'pmt-results');
    const { code, report } = await scanJson(['-i', repo, '-r', registry, '-c', config, '-p', 'lister', '-o', out], { cwd: dir.path, env: { XDG_CACHE_HOME: join(dir.path, 'cache') } });
    expect(code).toBe(0);
    expect(report.provenance?.path).toBe(join(out, PROVENANCE_RECORD));
    const { statement } = await readProvenanceRecord(out);
    const input = statement.predicate.buildDefinition.resolvedDependencies.find((d: any) => d.name === 'input');
    expect([...input.annotations.excluded].sort()).toEqual(['pmt-logs', 'pmt-results']);
    const verified = await pmt(['verify', out, '--input', repo]);
    expect(verified.stdout).toMatch(/^ok +input +matches: /m);
    expect(verified.code).toBe(0);
  });

  it('pmt verify fails, saying why, on a changed result, an edited payload and another key', async () => {
    const copy = async (name: string): Promise<string> => {
      await cp(results('results-1'), results(name), { recursive: true });
      return results(name);
    };
    const changed = await copy('changed');
    const bytes = await readFile(join(changed, 'lister_result.txt'));
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(join(changed, 'lister_result.txt'), bytes);
    const onChanged = await pmt(['verify', changed, '--key', 'signing.pub']);
    expect(onChanged.code).toBe(1);
    expect(onChanged.stdout).toMatch(/^FAIL +lister_result\.txt +CHANGED: sha256 is [0-9a-f]{16}…, the record says [0-9a-f]{16}…$/m);
    expect(onChanged.stdout).toContain('Verification failed: 1 of 3 check(s) do not hold.');

    const edited = await copy('edited');
    const envelope = JSON.parse(await readFile(join(edited, PROVENANCE_RECORD), 'utf8')) as Envelope;
    const payload = Buffer.from(envelope.payload, 'base64');
    const at = payload.indexOf('"succeeded"') + 1;
    payload[at] = payload[at]! ^ 0x20; // "Succeeded": one byte, still valid JSON
    await writeFile(join(edited, PROVENANCE_RECORD), JSON.stringify({ ...envelope, payload: payload.toString('base64') }));
    const onEdited = await pmt(['verify', edited, '--key', 'signing.pub']);
    expect(onEdited.code).toBe(1);
    expect(onEdited.stdout).toMatch(/^FAIL +signature +INVALID: the record was changed after it was signed with key [0-9a-f]{16}…$/m);

    expect((await pmt(['keygen', '-o', 'other', '--type', 'ecdsa-p256'])).code).toBe(0);
    const onOther = await pmt(['verify', 'results-1', '--key', 'other.pub']);
    expect(onOther.code).toBe(1);
    expect(onOther.stdout).toMatch(/^FAIL +signature +INVALID for this key: the record was signed with key [0-9a-f]{16}…, not with the given key [0-9a-f]{16}…$/m);

    const missing = await pmt(['verify', 'logs']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('no provenance record:');
  });

  it('never shows the private key: not in logs, --json, --dry-run, the record or the log files', async () => {
    const dryRuns = await Promise.all([
      pmt(['scan', '-i', repo, '-r', registry, '-p', 'all', '--dry-run']),
      pmt(['scan', '-i', repo, '-r', registry, '-p', 'all', '--dry-run', '--json'], { PMT_PROVENANCE_KEY: privatePem }),
    ]);
    for (const run of dryRuns) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`signed (ed25519 key ${keyId})`);
    }
    const logs = await Promise.all((await readdir(join(dir.path, 'logs'))).map((name) => readFile(join(dir.path, 'logs', name), 'utf8')));
    expect(logs).toHaveLength(4);
    expect(first.stderr).toContain(`Provenance record (signed with key ${keyId})`);
    const records = await Promise.all(['results-1', 'results-2'].map((name) => readFile(join(results(name), PROVENANCE_RECORD), 'utf8')));
    const records64 = records.map((text) => Buffer.from((JSON.parse(text) as Envelope).payload, 'base64').toString());
    for (const text of [first.stderr, second.stderr, JSON.stringify(first.report), JSON.stringify(second.report), ...dryRuns.flatMap((r) => [r.stdout, r.stderr]), ...logs, ...records, ...records64]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('PRIVATE KEY');
    }
    expect(((await stat(join(dir.path, 'signing.key'))).mode & 0o777).toString(8)).toBe('600');
    const again = await pmt(['keygen', '-o', 'signing']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('signing.key already exists');
  });
});

describe('a provenance key that cannot sign', () => {
  it('stops validate and scan before any container starts, naming the key file or variable, never its content', async () => {
    const dir = await tempDir('pmt-provenance-key-');
    try {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await writeFile(join(dir.path, 'rsa.key'), rsa);
      await writeConfig(dir.path, { ProvenanceKey: 'rsa.key' });
      const registry = await writeRegistry(dir.path, [{ name: 'never', image: TestImages.shell, cmd: 'true' }]);
      const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runPmt(args, { cwd: dir.path, env });

      const validate = await run(['validate', '-r', registry]);
      expect(validate.code).toBe(2);
      expect(validate.stderr).toContain(`cannot use the key from ${join(dir.path, 'rsa.key')}: it is a key of type rsa; pmt signs with an ed25519 or ECDSA P-256 key`);
      expect(validate.stderr).toContain('`pmt keygen` makes one');

      const scan = await run(['scan', '-i', dir.path, '-r', registry, '-p', 'never']);
      expect(scan.code).toBe(2);
      expect(scan.stderr).toContain('it is a key of type rsa');
      expect(await containersWithLabels('pmt.plugin=never')).toEqual([]);

      const garbage = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1ub3QtYS1rZXk=\n-----END PRIVATE KEY-----\n';
      const fromEnv = await run(['scan', '-i', dir.path, '-r', registry, '-p', 'never', '--dry-run'], { PMT_PROVENANCE_KEY: garbage });
      expect(fromEnv.code).toBe(2);
      expect(fromEnv.stderr).toContain('cannot use the provenance key from PMT_PROVENANCE_KEY: it is not a PEM private key');
      expect(fromEnv.stderr + fromEnv.stdout).not.toContain('c2VjcmV0LWJ1dC1ub3QtYS1rZXk');

      const missing = await run(['scan', '-i', dir.path, '-r', registry, '-p', 'never'], { PMT_PROVENANCE_KEY: 'nowhere.key' });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`cannot read the provenance key ${join(dir.path, 'nowhere.key')}: ENOENT`);
    } finally {
      await dir.remove();
    }
  });
});
