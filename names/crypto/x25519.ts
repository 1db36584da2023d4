import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expectBytes } from '../bytes.ts';
import { NamesError } from '../errors.ts';

/**
 * X25519 (RFC 7748) on node:crypto (OpenSSL): ~30× faster than @noble/curves here
 * (docs/DECISIONS.md). Raw keys are wrapped in fixed DER prefixes (RFC 8410).
 */
export const X25519_KEY_BYTES = 32;

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export type X25519KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

export function x25519GenerateKeyPair(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const secretDer = privateKey.export({ format: 'der', type: 'pkcs8' });
  const publicDer = publicKey.export({ format: 'der', type: 'spki' });
  return {
    secretKey: new Uint8Array(secretDer.subarray(PKCS8_PREFIX.length)),
    publicKey: new Uint8Array(publicDer.subarray(SPKI_PREFIX.length)),
  };
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
  const peer = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
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

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  expectBytes(secretKey, X25519_KEY_BYTES, 'x25519 secret key');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
}
