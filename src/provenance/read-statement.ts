import { SLSA_PROVENANCE_V1, STATEMENT_TYPE } from './scan-statement.js';

/** A subject as `pmt verify` needs it. */
export interface RecordedSubject {
  readonly name: string;
  readonly sha256: string;
}

/** The recorded input digest and the paths inside the input it left out. */
export interface RecordedInput {
  readonly digest: string;
  readonly excluded: readonly string[];
}

export type ReadStatement = { readonly subjects: readonly RecordedSubject[]; readonly input: RecordedInput | undefined } | { readonly error: string };

/** What `pmt verify` reads from a record's payload: the subjects and the recorded input digest. Pure. */
export function parseStatement(payload: Buffer): ReadStatement {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return { error: 'its payload is not JSON' };
  }
  if (!isRecord(value) || value._type !== STATEMENT_TYPE || !Array.isArray(value.subject)) {
    return { error: `its payload is not an in-toto Statement (${STATEMENT_TYPE})` };
  }
  const subjects: RecordedSubject[] = [];
  for (const subject of value.subject as unknown[]) {
    const sha256 = isRecord(subject) && isRecord(subject.digest) ? subject.digest.sha256 : undefined;
    if (!isRecord(subject) || typeof subject.name !== 'string' || typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
      return { error: 'a subject has no name or no sha256 digest' };
    }
    subjects.push({ name: subject.name, sha256 });
  }
  return { subjects, input: value.predicateType === SLSA_PROVENANCE_V1 ? recordedInput(value.predicate) : undefined };
}

/** `predicate.buildDefinition.resolvedDependencies[name=input].annotations`: `inputDigest` and `excluded`. */
function recordedInput(predicate: unknown): RecordedInput | undefined {
  const definition = isRecord(predicate) ? predicate.buildDefinition : undefined;
  const dependencies = isRecord(definition) && Array.isArray(definition.resolvedDependencies) ? (definition.resolvedDependencies as unknown[]) : [];
  const input = dependencies.find((d) => isRecord(d) && d.name === 'input');
  const annotations = isRecord(input) ? input.annotations : undefined;
  if (!isRecord(annotations) || typeof annotations.inputDigest !== 'string') return undefined;
  const excluded = Array.isArray(annotations.excluded) ? annotations.excluded.filter((p): p is string => typeof p === 'string') : [];
  return { digest: annotations.inputDigest, excluded };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
