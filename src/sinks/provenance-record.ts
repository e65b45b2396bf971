import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { ScanReport } from '../engine/scan-report.js';
import { IN_TOTO_PAYLOAD_TYPE, sealEnvelope, type DsseSigner } from '../provenance/dsse-envelope.js';
import { PROVENANCE_FILE } from '../provenance/provenance-file.js';
import { scanStatement } from '../provenance/scan-statement.js';
import { replaceFile } from '../store/replace-file.js';


/** What the report says about the run's provenance record. */
export interface ProvenanceOutcome {
  /** Where the record is; undefined when it could not be written. */
  readonly path: string | undefined;
  readonly signed: boolean;
  /** Id of the signing key (hex sha256 of its public key) when signed. */
  readonly keyId: string | undefined;
  /** Result files the record covers. */
  readonly subjects: number;
  /** Why it could not be written. */
  readonly error: string | undefined;
}

export interface ProvenanceOptions {
  readonly config: Config;
  readonly signer: DsseSigner | undefined;
  /** The results directory (else the logs directory, when results are not saved locally). */
  readonly dir: string;
  readonly timeoutOverrideMs: number | undefined;
  readonly logger: Logger;
}

/**
 * The provenance sink: the run's in-toto Statement in a DSSE envelope, signed when a key is
 * configured (else with no signatures), written beside the results as one file. The payload is the
 * Statement's JSON bytes exactly as signed; the file appears whole or not at all (replaceFile).
 */
export async function writeProvenanceRecord(report: ScanReport, options: ProvenanceOptions): Promise<ProvenanceOutcome> {
  const statement = scanStatement(report, { config: options.config, timeoutOverrideMs: options.timeoutOverrideMs, dir: options.dir });
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const envelope = sealEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, options.signer);
  const path = join(options.dir, PROVENANCE_FILE);
  const outcome = { signed: options.signer !== undefined, keyId: options.signer?.keyId, subjects: statement.subject.length };
  try {
    // As every result is saved: a link planted at that name is replaced, never followed.
    await replaceFile(path, (temp) => writeFile(temp, `${JSON.stringify(envelope, null, 2)}\n`, { flag: 'wx' }));
    options.logger.info(`Provenance record (${outcome.signed ? `signed with key ${outcome.keyId}` : 'unsigned'}): ${path}`);
    return { ...outcome, path, error: undefined };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    options.logger.error(`Could not write the provenance record ${path}: ${reason}`);
    return { ...outcome, path: undefined, error: `cannot write ${path}: ${reason}` };
  }
}
