import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { DsseSigner } from './dsse-envelope.js';

export type KeyAlgorithm = DsseSigner['algorithm'];

/** Thrown with a message that names the key's source, never its content. */
export class KeyProblem extends Error {}

/** Checks a verifying key the same way a signer is checked. */
export interface DsseVerifier {
  readonly keyId: string;
  readonly algorithm: KeyAlgorithm;
  verify(data: Buffer, signature: Buffer): boolean;
}

const SUPPORTED = 'an ed25519 or ECDSA P-256 key';

/** A signer for the PEM private key `pem`; `where` says where it came from, for messages. */
export function signerFromPem(pem: string, where: string): DsseSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    // OpenSSL 3 reports a missing passphrase as an "interrupted" read; the PEM header says it plainly.
    const encrypted = /ENCRYPTED/.test(pem.slice(0, 200)) || (error as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE';
    const reason = encrypted ? 'it is encrypted; pmt needs an unencrypted PEM key' : 'it is not a PEM private key';
    throw new KeyProblem(`cannot use the provenance key from ${where}: ${reason}`);
  }
  const algorithm = algorithmOf(key, where);
  const publicKey = createPublicKey(key);
  return {
    keyId: keyIdOf(publicKey),
    algorithm,
    sign: (data) => sign(algorithm === 'ed25519' ? null : 'sha256', data, key),
  };
}

/** A verifier for the PEM public key `pem` (a private key works too: its public half is used). */
export function verifierFromPem(pem: string, where: string): DsseVerifier {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new KeyProblem(`cannot use the key in ${where}: it is not a PEM public key`);
  }
  const algorithm = algorithmOf(key, where);
  return {
    keyId: keyIdOf(key),
    algorithm,
    verify: (data, signature) => {
      try {
        return verify(algorithm === 'ed25519' ? null : 'sha256', data, key, signature);
      } catch {
        return false;
      }
    },
  };
}

/** A fresh key pair as PEM: the private key PKCS#8, the public key SubjectPublicKeyInfo. */
export function generateSigningKey(algorithm: KeyAlgorithm): { privatePem: string; publicPem: string; keyId: string } {
  const pair = algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(pair.publicKey),
  };
}

/** Hex sha256 of the public key's SubjectPublicKeyInfo DER: the same for a key pair's two halves. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

function algorithmOf(key: KeyObject, where: string): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256';
  const kind = key.asymmetricKeyType === 'ec' ? `an EC key on curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}` : `a key of type ${key.asymmetricKeyType ?? 'unknown'}`;
  throw new KeyProblem(`cannot use the key from ${where}: it is ${kind}; pmt signs with ${SUPPORTED}`);
}
