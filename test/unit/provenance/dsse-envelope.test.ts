import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IN_TOTO_PAYLOAD_TYPE, openEnvelope, pae, sealEnvelope } from '../../../src/provenance/dsse-envelope.js';
import { generateSigningKey, KeyProblem, signerFromPem, verifierFromPem } from '../../../src/provenance/signing-key.js';

describe('DSSE envelope', () => {
  it('uses the pre-authentication encoding of the DSSE spec', () => {
    // The spec's own example: PAE("http://example.com/HelloWorld", "hello world").
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    // Lengths count bytes, not characters.
    expect(pae('t', Buffer.from('é')).toString()).toBe('DSSEv1 1 t 2 é');
  });

  it('writes an unsigned record as an envelope with no signatures, payload bytes as given', () => {
    const payload = Buffer.from('{"b":1,"a":2}');
    const envelope = sealEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, undefined);
    expect(envelope).toEqual({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [] });
    const opened = openEnvelope(JSON.stringify(envelope));
    expect('payload' in opened && opened.payload.equals(payload)).toBe(true);
  });

  for (const algorithm of ['ed25519', 'ecdsa-p256'] as const) {
    it(`signs with ${algorithm} and verifies with the public key; the key id is the same for both halves`, () => {
      const pair = generateSigningKey(algorithm);
      const signer = signerFromPem(pair.privatePem, 'test');
      const verifier = verifierFromPem(pair.publicPem, 'test');
      expect(signer.keyId).toBe(pair.keyId);
      expect(verifier.keyId).toBe(pair.keyId);
      const payload = Buffer.from('{"_type":"x"}');
      const envelope = sealEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, signer);
      expect(envelope.signatures).toHaveLength(1);
      expect(envelope.signatures[0]?.keyid).toBe(pair.keyId);
      const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
      expect(verifier.verify(pae(IN_TOTO_PAYLOAD_TYPE, payload), sig)).toBe(true);
      // The signature covers the type and the exact bytes.
      expect(verifier.verify(pae(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{"_type":"y"}')), sig)).toBe(false);
      expect(verifier.verify(pae('text/plain', payload), sig)).toBe(false);
      expect(verifierFromPem(generateSigningKey(algorithm).publicPem, 'other').verify(pae(IN_TOTO_PAYLOAD_TYPE, payload), sig)).toBe(false);
    });
  }

  it('refuses keys it cannot sign with, naming where they came from and never their content', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signerFromPem(rsa, '/keys/rsa.key')).toThrow(KeyProblem);
    expect(() => signerFromPem(rsa, '/keys/rsa.key')).toThrow('cannot use the key from /keys/rsa.key: it is a key of type rsa; pmt signs with an ed25519 or ECDSA P-256 key');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signerFromPem(p384, 'k')).toThrow('an EC key on curve secp384r1');
    const encrypted = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    expect(() => signerFromPem(encrypted, 'enc.key')).toThrow('it is encrypted; pmt needs an unencrypted PEM key');
    const garbage = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n';
    expect(() => signerFromPem(garbage, 'g.key')).toThrow(/^cannot use the provenance key from g\.key: it is not a PEM private key$/);
    expect(() => verifierFromPem('nonsense', 'p.pub')).toThrow('cannot use the key in p.pub: it is not a PEM public key');
  });

  it('says what is wrong with a damaged envelope, and refuses a payload that is not strict base64', () => {
    expect(openEnvelope('{"payloadType":')).toMatchObject({ error: expect.stringContaining('it is not JSON') });
    expect(openEnvelope('{"payload":"e30="}')).toEqual({ error: 'it is not a DSSE envelope (payloadType, payload and signatures expected)' });
    expect(openEnvelope('{"payloadType":"t","payload":"e30=","signatures":[{"keyid":1}]}')).toEqual({ error: 'one of its signatures is not a DSSE signature ({keyid, sig})' });
    // Node would quietly skip the '!' and decode the rest.
    expect(openEnvelope('{"payloadType":"t","payload":"e3!0=","signatures":[]}')).toEqual({ error: 'its payload is not valid base64' });
  });
});
