import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file a run writes its provenance record to, in its results (or logs) directory. */
export const PROVENANCE_RECORD = 'pmt-provenance.intoto.json';

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** A run's provenance record in `dir`: the DSSE envelope and its statement, decoded (`S`: as far as the test reads it). */
export async function readProvenanceRecord<S = any>(dir: string): Promise<{ envelope: Envelope; statement: S }> {
  const envelope = JSON.parse(await readFile(join(dir, PROVENANCE_RECORD), 'utf8')) as Envelope;
  return { envelope, statement: JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as S };
}
