import { sha256 } from '../../names/index.ts';

/**
 * Naive Merkle references written straight from the definitions, hashing through names/'s
 * sha256 (not agent/merkle's fast path), to check the efficient implementations against.
 */

const logNode = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(Uint8Array.of(0x01), left, right);

export const referenceLogLeaf = (data: Uint8Array): Uint8Array => sha256(Uint8Array.of(0x00), data);

function split(size: number): number {
  let k = 1;
  while (k * 2 < size) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes (RFC 9162 §2.1.1). */
export function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const k = split(leaves.length);
  return logNode(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** PATH(m, D[n]) (RFC 9162 §2.1.3.1). */
export function referencePath(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1), for 0 < m ≤ n. */
export function referenceConsistency(m: number, leaves: readonly Uint8Array[], known = true): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return known ? [] : [referenceRoot(leaves)];
  const k = split(n);
  return m <= k
    ? [...referenceConsistency(m, leaves.slice(0, k), known), referenceRoot(leaves.slice(k))]
    : [...referenceConsistency(m - k, leaves.slice(k), false), referenceRoot(leaves.slice(0, k))];
}

/** SUBTREE_PROOF(start, end, D_n) (draft-ietf-plants-merkle-tree-certs §4.4.1). */
export function referenceSubtreeConsistency(start: number, end: number, leaves: readonly Uint8Array[], known = true): Uint8Array[] {
  if (start === end) return [];
  const n = leaves.length;
  if (start === 0 && end === n) return known ? [] : [referenceRoot(leaves)];
  const k = split(n);
  if (end <= k) return [...referenceSubtreeConsistency(start, end, leaves.slice(0, k), known), referenceRoot(leaves.slice(k))];
  if (k <= start) return [...referenceSubtreeConsistency(start - k, end - k, leaves.slice(k), known), referenceRoot(leaves.slice(0, k))];
  return [...referenceSubtreeConsistency(0, end - k, leaves.slice(k), false), referenceRoot(leaves.slice(0, k))];
}

/** Every valid subtree [start, end) with end ≤ size (start a multiple of BIT_CEIL(end − start)). */
export function allSubtrees(size: number): [number, number][] {
  const found: [number, number][] = [];
  for (let end = 0; end <= size; end++) {
    for (let start = 0; start <= end; start++) {
      let ceil = 1;
      while (ceil < end - start) ceil *= 2;
      if (start % ceil === 0) found.push([start, end]);
    }
  }
  return found;
}

const bit = (key: Uint8Array, depth: number): number => ((key[depth >>> 3] ?? 0) >>> (7 - (depth & 7))) & 1;

/** The canonical sparse root of a key → value map, rebuilt from nothing (Diem shape, 0x02/0x03 prefixes). */
export function referenceSparseRoot(entries: readonly (readonly [Uint8Array, Uint8Array])[], depth = 0): Uint8Array {
  if (entries.length === 0) return new Uint8Array(32);
  if (entries.length === 1) {
    const [key, value] = entries[0] as readonly [Uint8Array, Uint8Array];
    return sha256(Uint8Array.of(0x02), key, sha256(value));
  }
  const left = entries.filter(([key]) => bit(key, depth) === 0);
  const right = entries.filter(([key]) => bit(key, depth) === 1);
  return sha256(Uint8Array.of(0x03), referenceSparseRoot(left, depth + 1), referenceSparseRoot(right, depth + 1));
}
