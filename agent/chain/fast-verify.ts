import * as libsecp256k1 from 'tiny-secp256k1';
import { schnorrVerify, type Rng } from '../../names/index.ts';
import { bip340Signatures, secp256k1Beacon, type ConsensusCrypto, type SignatureScheme } from '../consensus/index.ts';

/**
 * BIP340 verification through libsecp256k1 (tiny-secp256k1, compiled to WASM and shipped inside
 * the package): ~4,000 verifications/s here against ~720 for @noble/curves (docs/DECISIONS.md
 * "Chain service"). Verification only: signing stays on the audited noble code in names/crypto,
 * except where a benchmark's load generator signs thousands of transactions. libsecp256k1 is
 * BIP340's reference implementation, so both accept exactly the same signatures.
 */

/** Verification now lives in names/crypto (libsecp256k1 for 32-byte digests); kept under these names. */
export { isValidXOnlyPublicKey as fastIsXOnlyPoint, schnorrVerify as fastSchnorrVerify } from '../../names/index.ts';

/** BIP340 signing with libsecp256k1, for load generators; `auxRand` as in BIP340 default signing. */
export function fastSchnorrSign(message: Uint8Array, secretKey: Uint8Array, auxRand: Uint8Array): Uint8Array {
  return libsecp256k1.signSchnorr(message, secretKey, auxRand);
}

/** The production consensus crypto with verification through libsecp256k1. */
export function fastConsensusCrypto(rng: Rng): ConsensusCrypto {
  const signatures: SignatureScheme = { ...bip340Signatures(rng), verify: schnorrVerify };
  return { signatures, beacon: secp256k1Beacon, curveKeys: true };
}
