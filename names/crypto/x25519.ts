import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { equalBytes, expectBytes } from '../bytes.ts';
import { NamesError } from '../errors.ts';

/**
 * X25519 (RFC 7748) on node:crypto (OpenSSL), ~29× @noble/curves once keys are imported
 * (docs/DECISIONS.md). Secret keys are imported through a fixed PKCS#8 prefix (RFC 8410), public
 * keys as JWK (RFC 8037). Importing a key costs most of a call, so imported KeyObjects are remembered per byte array (a WeakMap keyed
 * by the array, checked against a copy of its bytes, so a wiped or reused array is re-imported).
 */
export const X25519_KEY_BYTES = 32;

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export type X25519KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

export function x25519GenerateKeyPair(): X25519KeyPair {
  const { privateKey } = generateKeyPairSync('x25519');
  // JWK export is ~100× cheaper than DER export in OpenSSL 3 (docs/DECISIONS.md).
  const jwk = privateKey.export({ format: 'jwk' });
  const secretKey = fromBase64Url(jwk.d);
  // An ephemeral key is used for two or three DH operations: remember its KeyObject now.
  importedSecretKeys.set(secretKey, { bytes: secretKey.slice(), key: privateKey });
  return { secretKey, publicKey: fromBase64Url(jwk.x) };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return fromBase64Url(createPublicKey(privateKeyObject(secretKey)).export({ format: 'jwk' }).x);
}

/**
 * The shared secret X25519(secretKey, publicKey). Throws BAD_POINT when the result is all
 * zero (a low-order public key, RFC 7748 §6.1: "check for the all-zero value and abort").
 */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  expectBytes(publicKey, X25519_KEY_BYTES, 'x25519 public key');
  const privateKey = privateKeyObject(secretKey);
  const peer = publicKeyObject(publicKey);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey: peer });
  } catch (error) {
    throw new NamesError('BAD_POINT', 'x25519 public key: low-order point gives an all-zero shared secret', { cause: error });
  }
  if (shared.every((byte) => byte === 0)) {
    throw new NamesError('BAD_POINT', 'x25519 public key: low-order point gives an all-zero shared secret');
  }
  return new Uint8Array(shared);
}

type Imported = { bytes: Uint8Array; key: KeyObject };

const importedSecretKeys = new WeakMap<Uint8Array, Imported>();
const importedPublicKeys = new WeakMap<Uint8Array, Imported>();

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  expectBytes(secretKey, X25519_KEY_BYTES, 'x25519 secret key');
  const known = importedSecretKeys.get(secretKey);
  if (known !== undefined && equalBytes(known.bytes, secretKey)) return known.key;
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  importedSecretKeys.set(secretKey, { bytes: secretKey.slice(), key });
  return key;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const known = importedPublicKeys.get(publicKey);
  if (known !== undefined && equalBytes(known.bytes, publicKey)) return known.key;
  // JWK import is ~8× cheaper than SPKI DER import here; a secret key has no JWK form without
  // its public half, so secret keys go through PKCS#8 (once per key, then remembered).
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64Url(publicKey) }, format: 'jwk' });
  importedPublicKeys.set(publicKey, { bytes: publicKey.slice(), key });
  return key;
}

function fromBase64Url(text: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(text ?? '', 'base64url'));
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
