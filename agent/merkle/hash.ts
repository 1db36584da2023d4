import { hash as oneShotHash } from 'node:crypto';

/**
 * Hash domain separation for every Merkle structure of the chain. One SHA-256 call per node,
 * and the first byte says what was hashed, so a leaf can never pass for a node and a node of
 * one structure never for a node of the other (docs/PROTOCOL.md, "Merkle structures"):
 *
 *   0x00  log leaf            SHA256(0x00 ‖ data)                      RFC 9162 §2.1.1
 *   0x01  log node            SHA256(0x01 ‖ left ‖ right)              RFC 9162 §2.1.1
 *   0x02  sparse leaf         SHA256(0x02 ‖ key ‖ SHA256(value))
 *   0x03  sparse node         SHA256(0x03 ‖ left ‖ right)
 *
 * This is the hot path of the ledger (a million-key tree hashes millions of nodes), so it does
 * not go through names/'s sha256: it hashes a reused input buffer in one native call and writes
 * the digest into a shared 8 KiB slab, as Node's own Buffer pool does for small buffers. Same
 * SHA-256, no typed-array backing store per hash; docs/DECISIONS.md has the measurement.
 * Treat the exported constants as read-only; public APIs hand out copies.
 */

const hashBytes = 32;
const slabBytes = 8 * 1024;
const inputBytesReused = 4 * 1024;

let slab = Buffer.allocUnsafeSlow(slabBytes);
let slabUsed = 0;
const input = Buffer.allocUnsafeSlow(inputBytesReused);

/** `length` fresh bytes carved from the current slab: a view that never aliases another. */
function allocate(length: number): Uint8Array {
  if (length > slabBytes / 8) return new Uint8Array(length);
  if (slabUsed + length > slabBytes) {
    slab = Buffer.allocUnsafeSlow(slabBytes);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab.buffer, slab.byteOffset + slabUsed, length);
  slabUsed += length;
  return bytes;
}

/** A copy of `bytes` that owns no backing store of its own: cheap to keep by the million. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = allocate(bytes.length);
  copy.set(bytes);
  return copy;
}

/** SHA-256 of prefix ‖ parts, as a slab-backed 32-byte array. */
function digest(prefix: number | null, ...parts: Uint8Array[]): Uint8Array {
  let length = prefix === null ? 0 : 1;
  for (const part of parts) length += part.length;
  // Node inputs are at most 65 bytes; a long leaf gets its own buffer rather than growing ours.
  const buffer = length <= inputBytesReused ? input : Buffer.allocUnsafe(length);
  let offset = 0;
  if (prefix !== null) buffer[offset++] = prefix;
  for (const part of parts) {
    buffer.set(part, offset);
    offset += part.length;
  }
  const text = oneShotHash('sha256', buffer.subarray(0, length), 'binary');
  const hash = allocate(hashBytes); // always from the current slab: 32 bytes is below the cut-off
  slab.write(text, hash.byteOffset - slab.byteOffset, hashBytes, 'latin1');
  return hash;
}

/** MTH({}) = HASH(), the root of the empty log (RFC 9162 §2.1.1). */
export const emptyLogRoot: Uint8Array = digest(null);

/**
 * The hash of an empty sparse subtree at every height, and so the root of the empty tree.
 * All zeros: no SHA-256 output is known to be zero, so it cannot stand for a real subtree.
 */
export const sparseEmptyHash: Uint8Array = new Uint8Array(hashBytes);

/** MTH({d}) = SHA256(0x00 ‖ d) (RFC 9162 §2.1.1). */
export function hashLogLeaf(data: Uint8Array): Uint8Array {
  return digest(0x00, data);
}

/** MTH(D[n]) = SHA256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])) (RFC 9162 §2.1.1). */
export function hashLogNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return digest(0x01, left, right);
}

export function hashSparseValue(value: Uint8Array): Uint8Array {
  return digest(null, value);
}

/** A leaf commits its full key, so a leaf lifted towards the root still names its own path. */
export function hashSparseLeaf(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return digest(0x02, key, valueHash);
}

export function hashSparseNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return digest(0x03, left, right);
}

export function isSparseEmptyHash(hash: Uint8Array): boolean {
  if (hash.length !== hashBytes) return false;
  for (const byte of hash) if (byte !== 0) return false;
  return true;
}
