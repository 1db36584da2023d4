import { schnorr } from '@noble/curves/secp256k1.js';
import * as libsecp256k1 from 'tiny-secp256k1';
import { expectBytes } from '../bytes.ts';
import { NamesError } from '../errors.ts';
import { randomBytes } from './random.ts';

/** BIP340 sizes. */
export const SECRET_KEY_BYTES = 32;
export const X_ONLY_PUBLIC_KEY_BYTES = 32;
export const SCHNORR_SIGNATURE_BYTES = 64;

/** A fresh secp256k1 secret key (BIP340 secret keys are 1..n-1). */
export function generateSecretKey(): Uint8Array {
  return schnorr.utils.randomSecretKey();
}

/** The x-only public key of a secret key; throws BAD_SECRET_KEY for 0 or ≥ n. */
export function schnorrPublicKey(secretKey: Uint8Array): Uint8Array {
  expectBytes(secretKey, SECRET_KEY_BYTES, 'secret key');
  try {
    return schnorr.getPublicKey(secretKey);
  } catch (error) {
    throw new NamesError('BAD_SECRET_KEY', 'secret key: not in 1..n-1 of secp256k1', { cause: error });
  }
}

/**
 * BIP340 signature over a message of any length. `auxRand` defaults to 32 fresh random bytes
 * (BIP340 "Default Signing": synthetic nonces protect against fault attacks).
 */
export function schnorrSign(message: Uint8Array, secretKey: Uint8Array, auxRand: Uint8Array = randomBytes(32)): Uint8Array {
  expectBytes(secretKey, SECRET_KEY_BYTES, 'secret key');
  expectBytes(auxRand, 32, 'aux rand');
  if (!(message instanceof Uint8Array)) throw new NamesError('BAD_TYPE', 'message: expected bytes');
  try {
    return schnorr.sign(message, secretKey, auxRand);
  } catch (error) {
    throw new NamesError('BAD_SECRET_KEY', 'secret key: not in 1..n-1 of secp256k1', { cause: error });
  }
}

/**
 * BIP340 verification; false for any invalid signature, key or size (never throws on bad input).
 * 32-byte messages (every digest Parley signs) go through libsecp256k1 (tiny-secp256k1: the
 * BIP340 reference implementation compiled to WASM, shipped in the package), ~5× @noble here;
 * other lengths, which BIP340 allows, through @noble. Signing stays on @noble
 * (docs/DECISIONS.md "Crypto core").
 */
export function schnorrVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SCHNORR_SIGNATURE_BYTES) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X_ONLY_PUBLIC_KEY_BYTES) return false;
  if (!(message instanceof Uint8Array)) return false;
  try {
    if (message.length === 32) return libsecp256k1.verifySchnorr(message, publicKey, signature);
    return schnorr.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** True when `publicKey` is 32 bytes naming an x coordinate on secp256k1 (BIP340 lift_x succeeds). */
export function isValidXOnlyPublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X_ONLY_PUBLIC_KEY_BYTES) return false;
  try {
    return libsecp256k1.isXOnlyPoint(publicKey);
  } catch {
    return false;
  }
}

/** Throws BAD_PUBLIC_KEY unless `publicKey` is a valid x-only key; names the field. */
export function expectXOnlyPublicKey(publicKey: unknown, field: string): Uint8Array {
  const bytes = expectBytes(publicKey, X_ONLY_PUBLIC_KEY_BYTES, field);
  if (!isValidXOnlyPublicKey(bytes)) {
    throw new NamesError('BAD_PUBLIC_KEY', `${field}: not an x coordinate on secp256k1`);
  }
  return bytes;
}
