import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { equalBytes, expectBytes } from '../bytes.ts';
import { NamesError } from '../errors.ts';
import { randomBytes } from './random.ts';

/**
 * X25519 (RFC 7748) on node:crypto (OpenSSL), ~29× @noble/curves once keys are imported
 * (docs/DECISIONS.md). Keys are imported as JWK (RFC 8037), several times cheaper than DER here.
 * Importing a key costs most of a call, so imported KeyObjects are remembered per byte array (a WeakMap keyed
 * by the array, checked against a copy of its bytes, so a wiped or reused array is re-imported).
 *
 * Key pairs are NOT made with generateKeyPairSync: exporting such a key as JWK can deadlock the
 * process. Node 20's ExportJWKEdKey holds the key's mutex while it allocates the strings; if that
 * allocation runs a GC which collects the (already unreachable) KeyGenJob that made the key,
 * ~KeyGenJob takes the same mutex and the main thread waits on itself forever (seen here under
 * gdb: about one run in ten of 20,000 key pairs hung). A random secret imported as JWK has no job.
 */
export const X25519_KEY_BYTES = 32;

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export type X25519KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

/** Any 32 random bytes are an X25519 secret (RFC 7748 §5: the scalar is clamped when used). */
export function x25519GenerateKeyPair(): X25519KeyPair {
  const secretKey = randomBytes(X25519_KEY_BYTES);
  // privateKeyObject remembers the KeyObject: an ephemeral is used for two or three DH operations.
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  // JWK export is ~100× cheaper than DER export in OpenSSL 3 (docs/DECISIONS.md).
  return fromBase64Url(privateKeyObject(secretKey).export({ format: 'jwk' }).x);
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
  const key = importSecretKey(secretKey);
  importedSecretKeys.set(secretKey, { bytes: secretKey.slice(), key });
  return key;
}

/**
 * A JWK private key must carry `x`, but OpenSSL derives the public half from `d` and Node does
 * not compare the two (checked by test/crypto: the exported `x` is the real one), so a
 * placeholder saves computing it first. Should a later Node compare them, PKCS#8 DER still works.
 */
const PLACEHOLDER_X = Buffer.alloc(X25519_KEY_BYTES).toString('base64url');

function importSecretKey(secretKey: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: toBase64Url(secretKey), x: PLACEHOLDER_X }, format: 'jwk' });
  } catch {
    return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  }
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
