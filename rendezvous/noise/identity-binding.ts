import {
  bytesToHex,
  equalBytes,
  expectBytes,
  SCHNORR_SIGNATURE_BYTES,
  schnorrPublicKey,
  schnorrSign,
  schnorrVerify,
  taggedHash,
  X_ONLY_PUBLIC_KEY_BYTES,
} from '../../names/index.ts';
import { IdentityMismatchError, RendezvousError } from '../errors.ts';
import { NOISE_DH_BYTES } from './dh.ts';

/**
 * The binding of a Noise static key (X25519) to a secp256k1 identity: a BIP340 signature by
 * the identity over taggedHash("parley/noise-static", static public key ‖ identity key).
 * The tag keeps these signatures from ever being valid for any other Parley message.
 * A binding does not change while the keys do not, so it is signed once at startup and a
 * verified one may be cached: repeat handshakes then skip the Schnorr verify, which costs
 * more than the whole rest of a handshake (docs/DECISIONS.md "Sessions").
 */
export const STATIC_BINDING_TAG = 'parley/noise-static';
export const STATIC_BINDING_BYTES = X_ONLY_PUBLIC_KEY_BYTES + SCHNORR_SIGNATURE_BYTES;

export type StaticBinding = { readonly identityKey: Uint8Array; readonly signature: Uint8Array };

declare const verifiedBinding: unique symbol;
/** A binding whose signature was checked against `staticKey` (STYLE 12: types carry protocol rules). */
export type VerifiedBinding = StaticBinding & { readonly staticKey: Uint8Array; readonly [verifiedBinding]: true };

export function staticBindingDigest(staticPublicKey: Uint8Array, identityKey: Uint8Array): Uint8Array {
  expectBytes(staticPublicKey, NOISE_DH_BYTES, 'noise static public key');
  expectBytes(identityKey, X_ONLY_PUBLIC_KEY_BYTES, 'identity key');
  return taggedHash(STATIC_BINDING_TAG, staticPublicKey, identityKey);
}

/** Signs the binding of `staticPublicKey` to the identity of `identitySecretKey`; done once per static key. */
export function signStaticBinding(identitySecretKey: Uint8Array, staticPublicKey: Uint8Array, auxRand?: Uint8Array): StaticBinding {
  const identityKey = schnorrPublicKey(identitySecretKey);
  return { identityKey, signature: schnorrSign(staticBindingDigest(staticPublicKey, identityKey), identitySecretKey, auxRand) };
}

/**
 * Checks a binding received in a handshake; throws NOISE_BAD_BINDING, or NOISE_IDENTITY_MISMATCH
 * when it is valid but names another identity than `expectedIdentityKey`.
 */
export function verifyStaticBinding(
  binding: StaticBinding,
  staticPublicKey: Uint8Array,
  cache?: BindingCache,
  expectedIdentityKey?: Uint8Array,
): VerifiedBinding {
  if (expectedIdentityKey !== undefined && !equalBytes(binding.identityKey, expectedIdentityKey)) {
    throw new IdentityMismatchError(
      'NOISE_IDENTITY_MISMATCH',
      `handshake: the peer presented identity ${bytesToHex(binding.identityKey)}, expected ${bytesToHex(expectedIdentityKey)}`,
      new Uint8Array(expectedIdentityKey),
      new Uint8Array(binding.identityKey),
    );
  }
  const known = cache?.has(staticPublicKey, binding.identityKey) ?? false;
  if (!known) {
    const digest = staticBindingDigest(staticPublicKey, binding.identityKey);
    if (!schnorrVerify(binding.signature, digest, binding.identityKey)) {
      throw new RendezvousError('NOISE_BAD_BINDING', 'handshake: the identity signature over the static key does not verify');
    }
    cache?.add(staticPublicKey, binding.identityKey);
  }
  return { ...binding, staticKey: new Uint8Array(staticPublicKey) } as VerifiedBinding;
}

/**
 * (static key, identity key) pairs whose binding signature has verified, least recently used
 * evicted first. A cached pair is a proven statement, so a later handshake claiming the same
 * pair needs no new verify; the Noise handshake itself still proves possession of the static key.
 */
export class BindingCache {
  readonly entriesMax: number;
  #entries = new Map<string, true>();
  hits = 0;
  misses = 0;

  constructor(entriesMax: number) {
    if (!Number.isInteger(entriesMax) || entriesMax < 1) throw new RangeError(`binding cache size: ${entriesMax}`);
    this.entriesMax = entriesMax;
  }

  has(staticPublicKey: Uint8Array, identityKey: Uint8Array): boolean {
    const key = cacheKey(staticPublicKey, identityKey);
    if (!this.#entries.delete(key)) {
      this.misses++;
      return false;
    }
    this.#entries.set(key, true);
    this.hits++;
    return true;
  }

  add(staticPublicKey: Uint8Array, identityKey: Uint8Array): void {
    const key = cacheKey(staticPublicKey, identityKey);
    this.#entries.delete(key);
    this.#entries.set(key, true);
    if (this.#entries.size > this.entriesMax) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

function cacheKey(staticPublicKey: Uint8Array, identityKey: Uint8Array): string {
  return bytesToHex(staticPublicKey) + bytesToHex(identityKey);
}
