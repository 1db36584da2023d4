import sodium from 'sodium-native';
import { expectBytes } from '../bytes.ts';
import { NamesError } from '../errors.ts';
import { randomBytes } from './random.ts';

/**
 * X25519 (RFC 7748) on libsodium (sodium-native): raw 32-byte keys in and out, so there is no
 * key import or export at all. Against node:crypto (OpenSSL) here: a key pair 16–18 µs instead
 * of 45–60, a DH 31–37 µs instead of 37–47 plus ~14 µs to import a new public key
 * (docs/DECISIONS.md "Crypto core").
 */
export const X25519_KEY_BYTES = 32;

export type X25519KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

/** Any 32 random bytes are an X25519 secret (RFC 7748 §5: the scalar is clamped when used). */
export function x25519GenerateKeyPair(): X25519KeyPair {
  const secretKey = randomBytes(X25519_KEY_BYTES);
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

/** X25519(secretKey, 9): libsodium clamps a copy of the scalar, the caller's bytes are untouched. */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  expectBytes(secretKey, X25519_KEY_BYTES, 'x25519 secret key');
  const publicKey = new Uint8Array(X25519_KEY_BYTES);
  sodium.crypto_scalarmult_base(publicKey, secretKey);
  return publicKey;
}

/**
 * The shared secret X25519(secretKey, publicKey). Throws BAD_POINT when the result is all
 * zero (a low-order public key, RFC 7748 §6.1: "check for the all-zero value and abort").
 * libsodium makes the same check (and refuses the small-order encodings up front, whose result
 * would be all zero) and then throws; the explicit check below does not depend on that.
 */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  expectBytes(secretKey, X25519_KEY_BYTES, 'x25519 secret key');
  expectBytes(publicKey, X25519_KEY_BYTES, 'x25519 public key');
  const shared = new Uint8Array(X25519_KEY_BYTES);
  try {
    sodium.crypto_scalarmult(shared, secretKey, publicKey);
  } catch (error) {
    throw new NamesError('BAD_POINT', 'x25519 public key: low-order point gives an all-zero shared secret', { cause: error });
  }
  if (isAllZero(shared)) {
    throw new NamesError('BAD_POINT', 'x25519 public key: low-order point gives an all-zero shared secret');
  }
  return shared;
}

/** Constant time in the bytes' values: OR everything, compare once. */
function isAllZero(bytes: Uint8Array): boolean {
  let accumulated = 0;
  for (let index = 0; index < bytes.length; index++) accumulated |= bytes[index]!;
  return accumulated === 0;
}
