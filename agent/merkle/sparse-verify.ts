import { equalBytes } from '../../names/index.ts';
import { sparseDepthMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { expectHash, expectHashes, expectRoot } from './checks.ts';
import { hashSparseLeaf, hashSparseNode, hashSparseValue, sparseEmptyHash } from './hash.ts';

/**
 * A sparse Merkle proof for one key: the siblings on the key's path from the root down to where
 * the path ends, and what it ends in. It ends in the key's own leaf (membership), in an empty
 * subtree, or in the single leaf of another key that shares the path so far (both
 * non-membership). In memory, empty siblings are sparseEmptyHash; on the wire a bitmap leaves
 * them out (sparse-codec.ts).
 */
export type SparseProof = {
  /** siblings[i] is the sibling at depth i + 1: the root's child first. */
  readonly siblings: readonly Uint8Array[];
  readonly leaf: { readonly key: Uint8Array; readonly valueHash: Uint8Array } | null;
};

/** Bit `depth` of a key, most significant bit of byte 0 first: 0 goes left, 1 goes right. */
export function keyBit(key: Uint8Array, depth: number): number {
  return ((key[depth >>> 3] ?? 0) >>> (7 - (depth & 7))) & 1;
}

/** How many leading bits two keys share. */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < a.length && index < b.length; index++) {
    const diff = (a[index] ?? 0) ^ (b[index] ?? 0);
    if (diff !== 0) return index * 8 + Math.clz32(diff) - 24;
  }
  return Math.min(a.length, b.length) * 8;
}

/**
 * The root that `proof` leads to for `key` holding `value` (null: the key is absent). Throws
 * when the proof cannot be one for that claim, before any hashing.
 */
export function sparseRootFromProof(key: Uint8Array, value: Uint8Array | null, proof: SparseProof): Uint8Array {
  expectHash(key, 'key');
  if (proof.siblings.length > sparseDepthMax) {
    throw new AgentError('MERKLE_PROOF_LENGTH', `sparse proof: at most ${sparseDepthMax} siblings, got ${proof.siblings.length}`);
  }
  expectHashes(proof.siblings, 'sparse proof siblings');
  let hash = terminalHash(key, value, proof);
  for (let depth = proof.siblings.length - 1; depth >= 0; depth--) {
    const sibling = proof.siblings[depth] ?? sparseEmptyHash;
    hash = keyBit(key, depth) === 0 ? hashSparseNode(hash, sibling) : hashSparseNode(sibling, hash);
  }
  return hash;
}

function terminalHash(key: Uint8Array, value: Uint8Array | null, proof: SparseProof): Uint8Array {
  const leaf = proof.leaf;
  if (leaf !== null) {
    expectHash(leaf.key, 'sparse proof leaf key');
    expectHash(leaf.valueHash, 'sparse proof leaf value hash');
  }
  if (value !== null) {
    if (leaf === null || !equalBytes(leaf.key, key)) {
      throw new AgentError('MERKLE_WRONG_KIND', 'sparse proof: shows the key absent, not holding a value');
    }
    const valueHash = hashSparseValue(value);
    if (!equalBytes(valueHash, leaf.valueHash)) throw new AgentError('MERKLE_VALUE_MISMATCH', 'sparse proof: the key holds another value');
    return hashSparseLeaf(key, valueHash);
  }
  if (leaf === null) return sparseEmptyHash;
  if (equalBytes(leaf.key, key)) throw new AgentError('MERKLE_WRONG_KIND', 'sparse proof: shows the key present');
  // Another key's leaf proves absence only where it sits on our path: it is the whole subtree there.
  if (commonPrefixBits(leaf.key, key) < proof.siblings.length) {
    throw new AgentError('MERKLE_KEY_MISMATCH', 'sparse proof: the leaf shown is not on the key’s path');
  }
  return hashSparseLeaf(leaf.key, leaf.valueHash);
}

/** Checks that `key` holds `value` in the tree with `root`. */
export function verifySparseMembership(root: Uint8Array, key: Uint8Array, value: Uint8Array, proof: SparseProof): void {
  expectRoot(sparseRootFromProof(key, value, proof), root, 'sparse membership');
}

/** Checks that `key` is absent from the tree with `root`. */
export function verifySparseNonMembership(root: Uint8Array, key: Uint8Array, proof: SparseProof): void {
  expectRoot(sparseRootFromProof(key, null, proof), root, 'sparse non-membership');
}

/** Checks the claim "`key` holds `value`" (or, for null, "`key` is absent") against `root`. */
export function verifySparseProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: SparseProof): void {
  expectRoot(sparseRootFromProof(key, value, proof), root, value === null ? 'sparse non-membership' : 'sparse membership');
}
