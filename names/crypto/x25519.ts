import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { equalBytes, expectBytes } from '../bytes.ts';
import { NamesError } from '../errors.ts';

/**
 * X25519 (RFC 7748) on node:crypto (OpenSSL), ~29× @noble/curves once keys are imported
 * (docs/DECISIONS.md). Raw keys are wrapped in fixed DER prefixes (RFC 8410). Importing a key
 * costs most of a call, so imported KeyObjects are remembered per byte array (a WeakMap keyed
 * by the array, checked against a copy of its bytes, so a wiped or reused array is re-imported).
 */
export const X25519_KEY_BYTES = 32;

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export type X25519KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

export function x25519GenerateKeyPair(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const secretKey = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length));
  // An ephemeral key is used for two or three DH operations: remember its KeyObject now.
  importedSecretKeys.set(secretKey, { bytes: secretKey.slice(), key: privateKey });
  return { secretKey, publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length)) };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  const privateKey = privateKeyObject(secretKey);
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
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
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  importedPublicKeys.set(publicKey, { bytes: publicKey.slice(), key });
  return key;
}
