import { equalBytes } from '../../names/index.ts';
import { logProofHashesMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { expectHashes, expectProofLength, expectRoot, expectSize, half, isOdd, isSubtree } from './checks.ts';
import { emptyLogRoot, hashLogNode } from './hash.ts';
import { rootFromInclusionProof } from './log-verify.ts';

/**
 * Subtree proofs of draft-ietf-plants-merkle-tree-certs §4 ("Subtrees"), which extend RFC 9162:
 * a subtree [start, end) is MTH(D[start:end]) where start is a multiple of BIT_CEIL(end − start).
 * The chain can sign such a subtree (say, one block's transactions) and prove it consistent with
 * the whole log; the transparency-dev subtree probes run against these.
 */

function expectSubtree(start: number, end: number): void {
  expectSize(start, 'start');
  expectSize(end, 'end');
  if (!isSubtree(start, end)) {
    throw new AgentError('MERKLE_BAD_RANGE', `[${start}, ${end}) is not a subtree: start must be a multiple of BIT_CEIL(end − start)`);
  }
}

/** The subtree hash an inclusion path leads to (draft §4.3.2): RFC 9162 §2.1.3.2 inside [start, end). */
export function rootFromSubtreeInclusionProof(
  leafIndex: number,
  start: number,
  end: number,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
): Uint8Array {
  expectSubtree(start, end);
  expectSize(leafIndex, 'leafIndex');
  if (leafIndex < start || leafIndex >= end) {
    throw new AgentError('MERKLE_BAD_RANGE', `subtree inclusion: leaf ${leafIndex} is outside [${start}, ${end})`);
  }
  return rootFromInclusionProof(leafIndex - start, end - start, leafHash, path);
}

/** Checks that `leafHash` is leaf `leafIndex` of the subtree [start, end) with `subtreeHash` (draft §4.3.3). */
export function verifySubtreeInclusion(
  leafIndex: number,
  start: number,
  end: number,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
  subtreeHash: Uint8Array,
): void {
  expectRoot(rootFromSubtreeInclusionProof(leafIndex, start, end, leafHash, path), subtreeHash, `inclusion of leaf ${leafIndex} in [${start}, ${end})`);
}

type Cursor = { fn: number; sn: number; tn: number };

function shift(cursor: Cursor): void {
  cursor.fn = half(cursor.fn);
  cursor.sn = half(cursor.sn);
  cursor.tn = half(cursor.tn);
}

/** Checks that the subtree [start, end) with `subtreeHash` is part of the tree of `treeSize` with `root` (draft §4.4.3). */
export function verifySubtreeConsistency(
  start: number,
  end: number,
  treeSize: number,
  subtreeHash: Uint8Array,
  root: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  expectSubtree(start, end);
  expectSize(treeSize, 'treeSize');
  if (end > treeSize) throw new AgentError('MERKLE_BAD_RANGE', `subtree consistency: [${start}, ${end}) ends past tree size ${treeSize}`);
  expectProofLength(proof, logProofHashesMax, 'subtree consistency proof');
  expectHashes(proof, 'subtree consistency proof');
  if (start === end) {
    if (proof.length !== 0) throw new AgentError('MERKLE_PROOF_LENGTH', 'subtree consistency: an empty subtree takes an empty proof');
    if (!equalBytes(subtreeHash, emptyLogRoot)) throw new AgentError('MERKLE_ROOT_MISMATCH', 'subtree consistency: an empty subtree hashes to HASH()');
    return;
  }
  const cursor: Cursor = { fn: start, sn: end - 1, tn: treeSize - 1 };
  // Climb to the lowest node that is both in the subtree and in the tree.
  if (cursor.sn === cursor.tn) {
    while (cursor.fn !== cursor.sn) shift(cursor);
  } else {
    while (cursor.fn !== cursor.sn && isOdd(cursor.sn)) shift(cursor);
  }
  let rest = proof;
  let seed = subtreeHash;
  if (cursor.fn !== cursor.sn) {
    const [first, ...others] = proof;
    if (first === undefined) throw new AgentError('MERKLE_PROOF_LENGTH', 'subtree consistency: empty proof');
    seed = first;
    rest = others;
  }
  let fr = seed;
  let sr = seed;
  for (const c of rest) {
    if (cursor.tn === 0) throw new AgentError('MERKLE_PROOF_LENGTH', `subtree consistency: proof too long for [${start}, ${end}) in ${treeSize}`);
    if (isOdd(cursor.sn) || cursor.sn === cursor.tn) {
      if (cursor.fn < cursor.sn) fr = hashLogNode(c, fr);
      sr = hashLogNode(c, sr);
      while (!isOdd(cursor.sn)) shift(cursor);
    } else {
      sr = hashLogNode(sr, c);
    }
    shift(cursor);
  }
  if (cursor.tn !== 0) throw new AgentError('MERKLE_PROOF_LENGTH', `subtree consistency: proof too short for [${start}, ${end}) in ${treeSize}`);
  expectRoot(fr, subtreeHash, `subtree consistency [${start}, ${end}) in ${treeSize}, subtree hash`);
  expectRoot(sr, root, `subtree consistency [${start}, ${end}) in ${treeSize}, tree root`);
}
