import { equalBytes } from '../../names/index.ts';
import { logProofHashesMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { expectHash, expectHashes, expectProofLength, expectRoot, expectSize, half, isOdd } from './checks.ts';
import { hashLogNode } from './hash.ts';

/**
 * RFC 9162 proof verification, pure. Every failure is an AgentError; a function that returns
 * has verified. Two rules go beyond the bare algorithms (transparency-dev library policy): a
 * leaf hash must be 32 bytes, and a consistency proof from size 0 is always an error.
 * Roots are compared as given, never length-checked: a root of the wrong length simply never
 * matches a computed one.
 */

/** The root that an inclusion path leads to (RFC 9162 §2.1.3.2, without the final compare). */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leafHash: Uint8Array, path: readonly Uint8Array[]): Uint8Array {
  expectSize(leafIndex, 'leafIndex');
  expectSize(treeSize, 'treeSize');
  if (leafIndex >= treeSize) {
    throw new AgentError('MERKLE_BAD_RANGE', `inclusion: leaf index ${leafIndex} is not below tree size ${treeSize}`);
  }
  expectHash(leafHash, 'leafHash');
  expectProofLength(path, logProofHashesMax, 'inclusion path');
  expectHashes(path, 'inclusion path');
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) throw new AgentError('MERKLE_PROOF_LENGTH', `inclusion path: too long for leaf ${leafIndex} of ${treeSize}`);
    if (isOdd(fn) || fn === sn) {
      r = hashLogNode(p, r);
      // On the right border the path skips levels where this node has no right sibling.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashLogNode(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new AgentError('MERKLE_PROOF_LENGTH', `inclusion path: too short for leaf ${leafIndex} of ${treeSize}`);
  return r;
}

/** Checks that `leafHash` is leaf `leafIndex` of the tree of `treeSize` with `root` (RFC 9162 §2.1.3.2). */
export function verifyInclusion(leafIndex: number, treeSize: number, leafHash: Uint8Array, path: readonly Uint8Array[], root: Uint8Array): void {
  expectRoot(rootFromInclusionProof(leafIndex, treeSize, leafHash, path), root, `inclusion of leaf ${leafIndex} in ${treeSize}`);
}

/** Checks that the tree of size2 with root2 extends the tree of size1 with root1 (RFC 9162 §2.1.4.2). */
export function verifyConsistency(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): void {
  expectSize(size1, 'size1');
  expectSize(size2, 'size2');
  if (size1 > size2) throw new AgentError('MERKLE_BAD_RANGE', `consistency: size1 ${size1} is above size2 ${size2}`);
  if (size1 === 0) throw new AgentError('MERKLE_EMPTY_TREE', 'consistency: a proof from the empty tree proves nothing');
  expectProofLength(proof, logProofHashesMax, 'consistency proof');
  expectHashes(proof, 'consistency proof');
  if (size1 === size2) {
    if (proof.length !== 0) throw new AgentError('MERKLE_PROOF_LENGTH', 'consistency: equal sizes take an empty proof');
    if (!equalBytes(root1, root2)) throw new AgentError('MERKLE_ROOT_MISMATCH', 'consistency: equal sizes with different roots');
    return;
  }
  // Step 1; then step 2: a first tree that is a complete subtree is its own first node.
  if (proof.length === 0) throw new AgentError('MERKLE_PROOF_LENGTH', 'consistency: empty proof for different sizes');
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const [seed, ...rest] = path;
  if (seed === undefined) throw new AgentError('MERKLE_PROOF_LENGTH', 'consistency: empty proof');
  let fr = seed;
  let sr = seed;
  for (const c of rest) {
    if (sn === 0) throw new AgentError('MERKLE_PROOF_LENGTH', `consistency: proof too long for ${size1} → ${size2}`);
    if (isOdd(fn) || fn === sn) {
      fr = hashLogNode(c, fr);
      sr = hashLogNode(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashLogNode(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new AgentError('MERKLE_PROOF_LENGTH', `consistency: proof too short for ${size1} → ${size2}`);
  expectRoot(fr, root1, `consistency ${size1} → ${size2}, first root`);
  expectRoot(sr, root2, `consistency ${size1} → ${size2}, second root`);
}

function isPowerOfTwo(value: number): boolean {
  let rest = value;
  while (rest > 1 && !isOdd(rest)) rest = half(rest);
  return rest === 1;
}
