import { createHash, createHmac, hkdfSync } from 'node:crypto';
import sodium from 'sodium-native';
import { expectBytesAtMost } from '../bytes.ts';
import { NamesError } from '../errors.ts';

/**
 * Short inputs go to libsodium's one-shot SHA-256 (one native call, ~0.55 µs for 64 B against
 * ~1.4 µs for node:crypto's hash object); long ones to OpenSSL, whose SHA-256 is about twice
 * libsodium's per byte here (SHA extensions). The two meet near 256–512 B (bench/crypto.ts,
 * docs/DECISIONS.md "Crypto core"). Noise's hashes and HMACs are all well under the limit.
 */
const SHORT_INPUT_BYTES_MAX = 256;
const SHA256_BLOCK_BYTES = 64;
const SHA256_BYTES = 32;

/** SHA-256 (FIPS 180-4) of the parts' concatenation. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const length = totalLength(parts);
  if (length > SHORT_INPUT_BYTES_MAX) {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    return new Uint8Array(hash.digest());
  }
  const digest = new Uint8Array(SHA256_BYTES);
  if (parts.length === 1) {
    sodium.crypto_hash_sha256(digest, parts[0]!);
    return digest;
  }
  sodium.crypto_hash_sha256(digest, joinInto(SCRATCH_INNER, 0, parts, length));
  SCRATCH_INNER.fill(0, 0, length); // the parts may be secret (a chaining key)
  return digest;
}

/** BIP340 tagged hash: SHA256(SHA256(tag) ‖ SHA256(tag) ‖ parts…). */
export function taggedHash(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const tagHash = sha256(new TextEncoder().encode(tag));
  return sha256(tagHash, tagHash, ...parts);
}

/**
 * HMAC-SHA256 (RFC 2104). Short keys and messages (every HMAC of a Noise handshake) as two
 * one-shot libsodium hashes, H(K ⊕ opad ‖ H(K ⊕ ipad ‖ text)); the rest on node:crypto.
 */
export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const length = totalLength(parts);
  if (key.length > SHA256_BLOCK_BYTES || length > SHORT_INPUT_BYTES_MAX) {
    const hmac = createHmac('sha256', key);
    for (const part of parts) hmac.update(part);
    return new Uint8Array(hmac.digest());
  }
  const inner = SCRATCH_INNER;
  const outer = SCRATCH_OUTER;
  for (let index = 0; index < SHA256_BLOCK_BYTES; index++) {
    const keyByte = index < key.length ? key[index]! : 0;
    inner[index] = keyByte ^ 0x36;
    outer[index] = keyByte ^ 0x5c;
  }
  sodium.crypto_hash_sha256(OUTER_DIGEST, joinInto(inner, SHA256_BLOCK_BYTES, parts, length));
  const mac = new Uint8Array(SHA256_BYTES);
  sodium.crypto_hash_sha256(mac, outer);
  inner.fill(0, 0, SHA256_BLOCK_BYTES + length); // key-derived pads and the text
  outer.fill(0);
  return mac;
}

/**
 * Scratch space for the short path, reused by every call (nothing here is re-entrant): a
 * Uint8Array over 64 bytes lives outside V8's heap, and allocating one per hash cost more than
 * the hash. Wiped after each use.
 */
const SCRATCH_INNER = new Uint8Array(SHA256_BLOCK_BYTES + SHORT_INPUT_BYTES_MAX);
const SCRATCH_OUTER = new Uint8Array(SHA256_BLOCK_BYTES + SHA256_BYTES);
const OUTER_DIGEST = SCRATCH_OUTER.subarray(SHA256_BLOCK_BYTES);

function totalLength(parts: readonly Uint8Array[]): number {
  let length = 0;
  for (const part of parts) length += part.length;
  return length;
}

/** Copies the parts one after another into `target` from `offset`; returns the filled view. */
function joinInto(target: Uint8Array, offset: number, parts: readonly Uint8Array[], length: number): Uint8Array {
  let at = offset;
  for (const part of parts) {
    target.set(part, at);
    at += part.length;
  }
  return target.subarray(0, offset + length);
}

/** BLAKE2s-256 (RFC 7693), for the Noise BLAKE2s suites; native, 2–9× @noble here (docs/DECISIONS.md). */
export function blake2s(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('blake2s256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** HKDF-SHA256 (RFC 5869). At most 255 × 32 bytes of output, as the RFC allows. */
export function hkdfSha256(inputKey: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new NamesError('BAD_PARAMETER', `hkdf length: expected 1..${255 * 32}, got ${length}`);
  }
  expectBytesAtMost(info, 1024, 'hkdf info');
  return new Uint8Array(hkdfSync('sha256', inputKey, salt, info, length));
}
