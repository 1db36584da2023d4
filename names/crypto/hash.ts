import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { expectBytesAtMost } from '../bytes.ts';
import { NamesError } from '../errors.ts';

/** SHA-256 (FIPS 180-4), native: docs/DECISIONS.md records the measurement against @noble/hashes. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** BIP340 tagged hash: SHA256(SHA256(tag) ‖ SHA256(tag) ‖ parts…). */
export function taggedHash(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const tagHash = sha256(new TextEncoder().encode(tag));
  return sha256(tagHash, tagHash, ...parts);
}

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return new Uint8Array(hmac.digest());
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
