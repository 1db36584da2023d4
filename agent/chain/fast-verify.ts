import * as libsecp256k1 from 'tiny-secp256k1';
import type { Rng } from '../../names/index.ts';
import { bip340Signatures, secp256k1Beacon, type ConsensusCrypto, type SignatureScheme } from '../consensus/index.ts';

/**
 * BIP340 verification through libsecp256k1 (tiny-secp256k1, compiled to WASM and shipped inside
 * the package): ~4,000 verifications/s here against ~720 for @noble/curves (docs/DECISIONS.md
 * "Chain service"). Verification only: signing stays on the audited noble code in names/crypto,
 * except where a benchmark's load generator signs thousands of transactions. libsecp256k1 is
 * BIP340's reference implementation, so both accept exactly the same signatures.
 */

/** Same contract as names/ schnorrVerify: false for any bad size, key or signature; never throws. */
export function fastSchnorrVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || message.length !== 32 || publicKey.length !== 32) return false;
  try {
    return libsecp256k1.verifySchnorr(message, publicKey, signature);
  } catch {
    return false;
  }
}

/** True when the 32 bytes are the x coordinate of a curve point (BIP340 lift_x succeeds). */
export function fastIsXOnlyPoint(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  try {
    return libsecp256k1.isXOnlyPoint(key);
  } catch {
    return false;
  }
}

/** BIP340 signing with libsecp256k1, for load generators; `auxRand` as in BIP340 default signing. */
export function fastSchnorrSign(message: Uint8Array, secretKey: Uint8Array, auxRand: Uint8Array): Uint8Array {
  return libsecp256k1.signSchnorr(message, secretKey, auxRand);
}

/** The production consensus crypto with verification through libsecp256k1. */
export function fastConsensusCrypto(rng: Rng): ConsensusCrypto {
  const signatures: SignatureScheme = { ...bip340Signatures(rng), verify: fastSchnorrVerify };
  return { signatures, beacon: secp256k1Beacon, curveKeys: true };
}
