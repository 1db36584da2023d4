import { blake2s, hmacSha256, sha256 } from '../../names/index.ts';

/**
 * The hash functions of the Noise suites Parley speaks (Noise rev 34 §12.3, §12.5), with
 * HMAC and Noise's own HKDF (§4.3) built generically on top. Both hashes have
 * HASHLEN = 32 and BLOCKLEN = 64.
 */
export type NoiseHashName = 'SHA256' | 'BLAKE2s';

export interface NoiseHash {
  readonly name: NoiseHashName;
  readonly hashBytes: 32;
  readonly blockBytes: 64;
  hash(...parts: Uint8Array[]): Uint8Array;
  hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array;
}

export const noiseSha256: NoiseHash = {
  name: 'SHA256',
  hashBytes: 32,
  blockBytes: 64,
  hash: sha256,
  // node:crypto's HMAC-SHA256 is RFC 2104 HMAC, which is what §4.3 asks for.
  hmac: hmacSha256,
};

export const noiseBlake2s: NoiseHash = {
  name: 'BLAKE2s',
  hashBytes: 32,
  blockBytes: 64,
  hash: blake2s,
  // §4.3: "HMAC-HASH(key, data): Applies HMAC from [RFC 2104] using the HASH() function",
  // not BLAKE2s's built-in keyed mode.
  hmac: (key, ...parts) => rfc2104Hmac(blake2s, 64, key, parts),
};

const IPAD = 0x36;
const OPAD = 0x5c;

/** RFC 2104 §2: H(K ⊕ opad ‖ H(K ⊕ ipad ‖ text)), keys longer than a block hashed first. */
function rfc2104Hmac(
  hash: (...parts: Uint8Array[]) => Uint8Array,
  blockBytes: number,
  key: Uint8Array,
  parts: Uint8Array[],
): Uint8Array {
  const blockKey = new Uint8Array(blockBytes);
  blockKey.set(key.length > blockBytes ? hash(key) : key);
  const inner = new Uint8Array(blockBytes);
  const outer = new Uint8Array(blockBytes);
  for (let index = 0; index < blockBytes; index++) {
    inner[index] = blockKey[index]! ^ IPAD;
    outer[index] = blockKey[index]! ^ OPAD;
  }
  return hash(outer, hash(inner, ...parts));
}

/**
 * Noise HKDF (§4.3): temp = HMAC(ck, ikm); output_i = HMAC(temp, output_{i-1} ‖ byte(i)).
 * This is RFC 5869 with an empty info and the chaining key as salt, but written out as the
 * spec does so one code path serves both hashes.
 */
export function noiseHkdf(hash: NoiseHash, chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, outputs: 2 | 3): Uint8Array[] {
  const temporaryKey = hash.hmac(chainingKey, inputKeyMaterial);
  const first = hash.hmac(temporaryKey, Uint8Array.of(0x01));
  const second = hash.hmac(temporaryKey, first, Uint8Array.of(0x02));
  if (outputs === 2) {
    temporaryKey.fill(0);
    return [first, second];
  }
  const third = hash.hmac(temporaryKey, second, Uint8Array.of(0x03));
  temporaryKey.fill(0);
  return [first, second, third];
}
