// The DSSE module alone: the package's index also loads its X.509 and ASN.1 code, which pmt does not use.
import { preAuthEncoding } from '@sigstore/core/dist/dsse.js';

/** The payload type DSSE uses for in-toto Statements. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  readonly keyid: string;
  /** Base64 of the signature over the pre-authentication encoding. */
  readonly sig: string;
}

/** A DSSE envelope as written to disk (https://github.com/secure-systems-lab/dsse, envelope.md). */
export interface DsseEnvelope {
  readonly payloadType: string;
  /** Base64 of the payload bytes exactly as they were signed. */
  readonly payload: string;
  /** Empty when the record is unsigned. */
  readonly signatures: readonly DsseSignature[];
}

/** Signs bytes with a private key pmt was given; the key itself never leaves the object. */
export interface DsseSigner {
  /** Hex sha256 of the public key (SubjectPublicKeyInfo DER), as `keyid` in the envelope. */
  readonly keyId: string;
  readonly algorithm: 'ed25519' | 'ecdsa-p256';
  sign(data: Buffer): Buffer;
}

/** DSSE's pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(payload)> <payload>`. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  return preAuthEncoding(payloadType, payload);
}

/** Wraps `payload` (bytes as they will be stored) and signs its PAE when a signer is given. */
export function sealEnvelope(payload: Buffer, payloadType: string, signer: DsseSigner | undefined): DsseEnvelope {
  const signatures = signer ? [{ keyid: signer.keyId, sig: signer.sign(pae(payloadType, payload)).toString('base64') }] : [];
  return { payloadType, payload: payload.toString('base64'), signatures };
}

export type OpenedEnvelope = { readonly envelope: DsseEnvelope; readonly payload: Buffer } | { readonly error: string };

/** The envelope in `text` and its payload bytes, or what is wrong with it. Pure. */
export function openEnvelope(text: string): OpenedEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `it is not JSON (${(error as Error).message})` };
  }
  if (!isRecord(value) || typeof value.payloadType !== 'string' || typeof value.payload !== 'string' || !Array.isArray(value.signatures)) {
    return { error: 'it is not a DSSE envelope (payloadType, payload and signatures expected)' };
  }
  const signatures: DsseSignature[] = [];
  for (const s of value.signatures as unknown[]) {
    if (!isRecord(s) || typeof s.sig !== 'string' || (s.keyid !== undefined && typeof s.keyid !== 'string')) {
      return { error: 'one of its signatures is not a DSSE signature ({keyid, sig})' };
    }
    signatures.push({ keyid: (s.keyid as string | undefined) ?? '', sig: s.sig });
  }
  const payload = strictBase64(value.payload);
  if (payload === undefined) return { error: 'its payload is not valid base64' };
  return { envelope: { payloadType: value.payloadType, payload: value.payload, signatures }, payload };
}

/** Node's decoder skips characters that are not base64; an edited payload must not slip through that way. */
function strictBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  const canonical = (s: string): string => s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  return canonical(bytes.toString('base64')) === canonical(text) ? bytes : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
