import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { hashFile } from '../cache/hash-file.js';
import { digestInput } from '../cache/input-digest.js';
import { placeOutputs } from '../cache/output-placement.js';
import { IN_TOTO_PAYLOAD_TYPE, openEnvelope, pae, type DsseEnvelope } from './dsse-envelope.js';
import { PROVENANCE_FILE } from './provenance-file.js';
import { parseStatement, type RecordedInput, type RecordedSubject } from './read-statement.js';
import type { DsseVerifier } from './signing-key.js';

/** One line of `pmt verify`: what was checked, and whether it holds. */
export interface Check {
  readonly ok: boolean;
  /** `signature`, `record`, `input`, or the subject's name. */
  readonly what: string;
  readonly message: string;
}

export interface VerifyRequest {
  /** The results directory holding the record and the files it names. */
  readonly dir: string;
  readonly key: DsseVerifier | undefined;
  /** Re-digest this directory and compare it with the recorded input digest. */
  readonly inputDir: string | undefined;
}

const short = (hex: string): string => `${hex.slice(0, 16)}…`;

/**
 * Checks a results directory against its provenance record: the signature (when a key is given),
 * then every subject's sha256, then the input (when asked). Every check is reported; the run is
 * good only when all hold. Never throws for anything found on disk.
 */
export async function verifyRecord(request: VerifyRequest): Promise<Check[]> {
  const path = join(request.dir, PROVENANCE_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => error);
  if (text instanceof Error) {
    const reason = text.code === 'ENOENT' ? 'it does not exist (pmt scan writes it into the results directory)' : `it cannot be read (${text.code ?? text.message})`;
    return [{ ok: false, what: 'record', message: `no provenance record: ${path}: ${reason}` }];
  }
  const opened = openEnvelope(text);
  if ('error' in opened) return [{ ok: false, what: 'record', message: `the record ${path} is damaged: ${opened.error}` }];
  if (opened.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return [{ ok: false, what: 'record', message: `the record ${path} holds a ${JSON.stringify(opened.envelope.payloadType)} payload, not an in-toto Statement` }];
  }
  const checks: Check[] = [checkSignature(opened.envelope, opened.payload, request.key)];
  const statement = parseStatement(opened.payload);
  if ('error' in statement) return [...checks, { ok: false, what: 'record', message: `the record ${path} is damaged: ${statement.error}` }];
  if (statement.subjects.length === 0) checks.push({ ok: true, what: 'record', message: 'the record names no result files (the run saved none)' });
  for (const subject of statement.subjects) checks.push(await checkSubject(request.dir, subject));
  if (request.inputDir !== undefined) checks.push(await checkInput(request.inputDir, statement.input, request.dir));
  return checks;
}

function checkSignature(envelope: DsseEnvelope, payload: Buffer, key: DsseVerifier | undefined): Check {
  const what = 'signature';
  const { signatures } = envelope;
  if (key === undefined) {
    const message = signatures.length === 0 ? 'none: the record is unsigned' : `not checked: the record is signed with key ${short(signatures[0]?.keyid ?? '')}; pass --key PUB to check it`;
    return { ok: true, what, message };
  }
  if (signatures.length === 0) return { ok: false, what, message: `the record is not signed, but --key was given (key ${short(key.keyId)})` };
  const signed = pae(envelope.payloadType, payload);
  if (signatures.some((s) => key.verify(signed, Buffer.from(s.sig, 'base64')))) {
    return { ok: true, what, message: `valid: signed with ${key.algorithm} key ${short(key.keyId)}` };
  }
  if (signatures.some((s) => s.keyid === key.keyId)) {
    return { ok: false, what, message: `INVALID: the record was changed after it was signed with key ${short(key.keyId)}` };
  }
  const ids = signatures.map((s) => (s.keyid ? short(s.keyid) : '(no key id)')).join(', ');
  return { ok: false, what, message: `INVALID for this key: the record was signed with key ${ids}, not with the given key ${short(key.keyId)}` };
}

async function checkSubject(dir: string, subject: RecordedSubject): Promise<Check> {
  const what = subject.name;
  // A record must not make pmt read outside the directory it describes.
  const relative = normalize(subject.name);
  if (isAbsolute(relative) || relative === '..' || relative.startsWith(`..${sep}`)) {
    return { ok: false, what, message: 'the record names a file outside the results directory' };
  }
  const found = await hashFile(join(dir, relative)).catch((error: NodeJS.ErrnoException) => error);
  if (found instanceof Error) {
    return { ok: false, what, message: found.code === 'ENOENT' ? `MISSING: no such file in ${dir}` : `cannot be read (${found.code ?? found.message})` };
  }
  if (found === undefined) return { ok: false, what, message: 'not a regular file' };
  if (found.sha256 !== subject.sha256) return { ok: false, what, message: `CHANGED: sha256 is ${short(found.sha256)}, the record says ${short(subject.sha256)}` };
  return { ok: true, what, message: `matches (sha256 ${short(found.sha256)})` };
}

async function checkInput(dir: string, input: RecordedInput | undefined, resultsDir: string): Promise<Check> {
  const what = 'input';
  if (input === undefined) return { ok: false, what, message: 'the record has no input digest to compare with' };
  const recorded = input.digest;
  // The scan's own output dirs inside the input (recorded; and the results dir, for records that
  // do not say) were left out of its digest, as plugins did not see them: they are left out here too.
  const outputs = await placeOutputs(dir, [resultsDir]).catch(() => ({ inside: [] as string[] }));
  const exclude = [...new Set([...input.excluded, ...outputs.inside])];
  const actual = await digestInput(dir, { exclude }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  if (actual instanceof Error) return { ok: false, what, message: `cannot digest ${dir}: ${actual.message}` };
  if (actual.digest === recorded) return { ok: true, what, message: `matches: ${dir} has the recorded digest ${recorded}` };
  const kind = (d: string): string => (d.startsWith('git:') ? 'a clean git tree' : 'a file walk');
  const why =
    kind(actual.digest) === kind(recorded)
      ? 'its content differs from the scanned input'
      : `the record has the digest of ${kind(recorded)}, this directory gives ${kind(actual.digest)}; compare the same kind of checkout`;
  return { ok: false, what, message: `DIFFERENT: ${dir} has digest ${actual.digest}, the record says ${recorded} (${why})` };
}
