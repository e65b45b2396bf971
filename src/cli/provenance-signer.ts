import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { isPemText } from '../config/describe-config.js';
import { UsageError } from '../errors.js';
import type { DsseSigner } from '../provenance/dsse-envelope.js';
import { KeyProblem, signerFromPem } from '../provenance/signing-key.js';

const HINT = 'set ProvenanceKey (or PMT_PROVENANCE_KEY) to an unencrypted ed25519 or ECDSA P-256 PEM private key; `pmt keygen` makes one';

/**
 * The signer for the configured provenance key, checked before any container starts; undefined when
 * none is configured. Messages name where the key came from, never what it contains.
 */
export async function provenanceSigner(config: Config, cwd: string): Promise<DsseSigner | undefined> {
  const source = config.provenanceKey;
  if (source === undefined) return undefined;
  const fromEnvText = isPemText(source);
  const path = fromEnvText ? undefined : resolve(cwd, source);
  let pem: string;
  try {
    pem = fromEnvText ? source : await readFile(path as string, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the provenance key ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, HINT);
  }
  try {
    return signerFromPem(pem, path ?? 'PMT_PROVENANCE_KEY');
  } catch (error) {
    if (error instanceof KeyProblem) throw new UsageError(error.message, HINT);
    throw error;
  }
}
