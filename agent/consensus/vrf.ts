import { schnorr, secp256k1_hasher } from '@noble/curves/secp256k1.js';
import { concatBytes, taggedHash } from '../../names/index.ts';
import { consensusBeaconProofBytes } from '../constants.ts';

/**
 * A verifiable random function on secp256k1 in the shape of ECVRF (RFC 9381 §5), keyed by the
 * peer's BIP340 key, so a proposer's beacon contribution is unique: for one key and one input
 * there is exactly one output that verifies, and so nothing to grind (docs/DECISIONS.md
 * "Consensus: proposer lottery").
 *
 *   H     = hash_to_curve(Y ‖ alpha)                    RFC 9380 secp256k1_XMD:SHA-256_SSWU_RO_
 *   Gamma = x·H
 *   k     = int(tagged("parley/vrf/nonce", x ‖ H)) mod n  deterministic, as RFC 9381 §5.4.2.2
 *   c     = tagged("parley/vrf/challenge", Y ‖ H ‖ Gamma ‖ k·G ‖ k·H)[0..16]   (RFC 9381 cLen = 16)
 *   s     = k + c·x mod n
 *   proof = Gamma (33, compressed) ‖ c (16) ‖ s (32)
 *   beta  = tagged("parley/vrf/output", Gamma)           (cofactor 1)
 *
 * Y is the even-y lift of the x-only key and x the secret negated if needed (BIP340's rule), so
 * the consensus key needs no second key pair. Not a registered RFC 9381 suite: there are no
 * secp256k1 vectors to pass, and the tests check the VRF properties instead.
 */

const Point = schnorr.Point;
const order = Point.Fn.ORDER;
const hashToCurveDst = 'PARLEY-V01-VRF-secp256k1_XMD:SHA-256_SSWU_RO_';
const challengeBytes = 16;

type CurvePoint = ReturnType<typeof Point.fromBytes>;

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let index = length - 1; index >= 0; index--) {
    out[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function liftPublicKey(publicKey: Uint8Array): CurvePoint | null {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return null;
  try {
    return schnorr.utils.lift_x(bytesToBigInt(publicKey));
  } catch {
    return null;
  }
}

function hashToPoint(publicKeyPoint: CurvePoint, alpha: Uint8Array): CurvePoint {
  return secp256k1_hasher.hashToCurve(concatBytes(publicKeyPoint.toBytes(true), alpha), { DST: hashToCurveDst }) as unknown as CurvePoint;
}

function challenge(points: CurvePoint[]): bigint {
  const digest = taggedHash('parley/vrf/challenge', ...points.map((point) => point.toBytes(true)));
  return bytesToBigInt(digest.subarray(0, challengeBytes));
}

function output(gamma: CurvePoint): Uint8Array {
  return taggedHash('parley/vrf/output', gamma.toBytes(true));
}

/** The proof for `alpha` under `secretKey` (a BIP340 secret key). Deterministic. */
export function vrfProve(secretKey: Uint8Array, alpha: Uint8Array): Uint8Array {
  let x = bytesToBigInt(secretKey);
  if (x <= 0n || x >= order) throw new RangeError('vrf: secret key out of range');
  const publicKeyPoint = Point.BASE.multiply(x);
  const evenY = publicKeyPoint.toAffine().y % 2n === 0n;
  if (!evenY) x = order - x;
  const y = evenY ? publicKeyPoint : publicKeyPoint.negate();
  const h = hashToPoint(y, alpha);
  const gamma = h.multiply(x);
  const k = (bytesToBigInt(taggedHash('parley/vrf/nonce', bigIntToBytes(x, 32), h.toBytes(true))) % (order - 1n)) + 1n;
  const c = challenge([y, h, gamma, Point.BASE.multiply(k), h.multiply(k)]);
  const s = (k + c * x) % order;
  return concatBytes(gamma.toBytes(true), bigIntToBytes(c, challengeBytes), bigIntToBytes(s, 32));
}

/** The 32-byte output when `proof` verifies for (publicKey, alpha), else null. Never throws. */
export function vrfVerify(publicKey: Uint8Array, alpha: Uint8Array, proof: Uint8Array): Uint8Array | null {
  if (!(proof instanceof Uint8Array) || proof.length !== consensusBeaconProofBytes) return null;
  const y = liftPublicKey(publicKey);
  if (y === null) return null;
  let gamma: CurvePoint;
  try {
    gamma = Point.fromBytes(proof.subarray(0, 33));
    gamma.assertValidity();
  } catch {
    return null;
  }
  const c = bytesToBigInt(proof.subarray(33, 33 + challengeBytes));
  const s = bytesToBigInt(proof.subarray(33 + challengeBytes));
  if (s >= order) return null;
  const h = hashToPoint(y, alpha);
  // U = s·G − c·Y, V = s·H − c·Gamma (RFC 9381 §5.3 step 7–8). Public data: unsafe (variable-time) is fine.
  const sG = s === 0n ? Point.ZERO : Point.BASE.multiply(s);
  const sH = s === 0n ? Point.ZERO : h.multiplyUnsafe(s);
  const u = c === 0n ? sG : sG.subtract(y.multiplyUnsafe(c));
  const v = c === 0n ? sH : sH.subtract(gamma.multiplyUnsafe(c));
  if (u.is0() || v.is0()) return null;
  return challenge([y, h, gamma, u, v]) === c ? output(gamma) : null;
}

/** The output of a proof, without verifying it (for proofs already verified). */
export function vrfOutput(proof: Uint8Array): Uint8Array {
  return output(Point.fromBytes(proof.subarray(0, 33)));
}
