import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import { generateSigningKey, signerFromPem, verifierFromPem } from '../../../src/provenance/signing-key.js';
import { verifyRecord } from '../../../src/provenance/verify-record.js';
import { writeProvenanceRecord } from '../../../src/sinks/provenance-record.js';
import { tempDir } from '../../support/fixtures.js';
import { savedRun } from '../../support/provenance-run.js';

const RECORD = 'pmt-provenance.intoto.json';

describe('pmt verify: a results directory against its provenance record', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const key = generateSigningKey('ed25519');
  const verifier = verifierFromPem(key.publicPem, 'k.pub');
  const write = async (signed: boolean): Promise<void> => {
    const outcome = await writeProvenanceRecord(await savedRun(dir.path), {
      config: DEFAULT_CONFIG,
      signer: signed ? signerFromPem(key.privatePem, 'k.key') : undefined,
      dir: dir.path,
      timeoutOverrideMs: undefined,
      logger: pino({ level: 'silent' }),
    });
    expect(outcome).toMatchObject({ path: join(dir.path, RECORD), signed, subjects: 2, error: undefined });
  };
  const failures = async (request: Partial<Parameters<typeof verifyRecord>[0]> = {}): Promise<string[]> =>
    (await verifyRecord({ dir: dir.path, key: verifier, inputDir: undefined, ...request })).filter((c) => !c.ok).map((c) => `${c.what}: ${c.message}`);

  beforeEach(async () => {
    dir = await tempDir('pmt-verify-');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('holds for an untouched signed record: one check per subject, plus the signature', async () => {
    await write(true);
    const checks = await verifyRecord({ dir: dir.path, key: verifier, inputDir: undefined });
    expect(checks.map((c) => [c.what, c.ok])).toEqual([
      ['signature', true],
      ['a_out.json', true],
      ['a_notice.txt', true],
    ]);
    expect(checks[0]?.message).toBe(`valid: signed with ed25519 key ${key.keyId.slice(0, 16)}…`);
    // The file never holds the private key.
    const text = await readFile(join(dir.path, RECORD), 'utf8');
    expect(text).not.toContain(key.privatePem.split('\n')[1]);
  });

  it('names a changed result and a missing one', async () => {
    await write(true);
    const bytes = await readFile(join(dir.path, 'a_out.json'));
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(join(dir.path, 'a_out.json'), bytes);
    await rm(join(dir.path, 'a_notice.txt'));
    const failed = await failures();
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatch(/^a_out\.json: CHANGED: sha256 is [0-9a-f]{16}…, the record says [0-9a-f]{16}…$/);
    expect(failed[1]).toBe(`a_notice.txt: MISSING: no such file in ${dir.path}`);
  });

  it('says the record was changed after signing when one byte of its payload is flipped', async () => {
    await write(true);
    const path = join(dir.path, RECORD);
    const envelope = JSON.parse(await readFile(path, 'utf8'));
    const payload = Buffer.from(envelope.payload, 'base64');
    const middle = Math.floor(payload.length / 2);
    payload[middle] = payload[middle]! ^ 0x01;
    await writeFile(path, JSON.stringify({ ...envelope, payload: payload.toString('base64') }));
    expect(await failures()).toContainEqual(`signature: INVALID: the record was changed after it was signed with key ${key.keyId.slice(0, 16)}…`);
  });

  it('says the record was signed with another key than the one given', async () => {
    await write(true);
    const other = verifierFromPem(generateSigningKey('ecdsa-p256').publicPem, 'other.pub');
    expect(await failures({ key: other })).toEqual([
      `signature: INVALID for this key: the record was signed with key ${key.keyId.slice(0, 16)}…, not with the given key ${other.keyId.slice(0, 16)}…`,
    ]);
  });

  it('without --key reports the signature as not checked; with --key an unsigned record fails', async () => {
    await write(true);
    const unchecked = await verifyRecord({ dir: dir.path, key: undefined, inputDir: undefined });
    expect(unchecked[0]).toEqual({ ok: true, what: 'signature', message: `not checked: the record is signed with key ${key.keyId.slice(0, 16)}…; pass --key PUB to check it` });
    await write(false);
    expect((await verifyRecord({ dir: dir.path, key: undefined, inputDir: undefined })).every((c) => c.ok)).toBe(true);
    expect(await failures()).toEqual([`signature: the record is not signed, but --key was given (key ${key.keyId.slice(0, 16)}…)`]);
  });

  it('fails plainly on a missing record, a damaged one, and a subject that points outside the directory', async () => {
    expect(await failures()).toEqual([`record: no provenance record: ${join(dir.path, RECORD)}: it does not exist (pmt scan writes it into the results directory)`]);
    await writeFile(join(dir.path, RECORD), '{"payloadType": "application/vnd.in-toto+json", "payload": ');
    expect((await failures())[0]).toMatch(/^record: the record .* is damaged: it is not JSON/);
    const statement = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: '../../etc/passwd', digest: { sha256: '0'.repeat(64) } }], predicateType: 'x', predicate: {} };
    await writeFile(join(dir.path, RECORD), JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [] }));
    expect(await failures({ key: undefined })).toEqual(['../../etc/passwd: the record names a file outside the results directory']);
  });
});
