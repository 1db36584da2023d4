import { AgentError } from '../errors.ts';
import { expectHash, expectSize, isOdd, isSubtree, splitPoint } from './checks.ts';
import { copyBytes, emptyLogRoot, hashLogLeaf, hashLogNode } from './hash.ts';
import { MemoryLogNodeStore, type LogNodeStore } from './log-store.ts';

/** An RFC 9162 inclusion proof as it travels: which leaf, in which tree size, and the path. */
export type LogInclusionProof = { readonly leafIndex: number; readonly treeSize: number; readonly path: readonly Uint8Array[] };

/** An RFC 9162 consistency proof between two sizes of one log. */
export type LogConsistencyProof = { readonly size1: number; readonly size2: number; readonly path: readonly Uint8Array[] };

/**
 * An append-only Merkle log (RFC 9162 §2.1). Appending stores every complete subtree hash it
 * finishes, so an append costs O(1) hashes amortized (O(log n) at worst) and proofs read stored
 * nodes: only the right border of a tree that is not a power of two is folded on demand,
 * O(log n) hashes for any root or proof. Every size up to the current one stays provable.
 * Returned hashes are copies.
 */
export class MerkleLog {
  constructor(private readonly store: LogNodeStore = new MemoryLogNodeStore()) {}

  get size(): number {
    return this.store.count(0);
  }

  /** Appends MTH({data}) and returns the new leaf's index. */
  appendData(data: Uint8Array): number {
    return this.appendLeafHash(hashLogLeaf(data));
  }

  appendLeafHash(leafHash: Uint8Array): number {
    expectHash(leafHash, 'leafHash');
    const leafIndex = this.size;
    this.store.append(0, leafHash);
    // A node at an odd index completes its parent; carry upwards like a binary counter.
    let node = leafHash;
    let index = leafIndex;
    for (let level = 0; isOdd(index); level++) {
      node = hashLogNode(this.store.get(level, index - 1), node);
      index = (index - 1) / 2;
      this.store.append(level + 1, node);
    }
    return leafIndex;
  }

  leafHash(leafIndex: number): Uint8Array {
    this.expectWithin(expectSize(leafIndex, 'leafIndex') + 1);
    return this.store.get(0, leafIndex).slice();
  }

  /** MTH(D[0:treeSize]) for any size up to the current one. */
  root(treeSize: number = this.size): Uint8Array {
    this.expectWithin(expectSize(treeSize, 'treeSize'));
    return this.subtreeHashUnchecked(0, treeSize).slice();
  }

  /** MTH(D[start:end]) of a subtree (draft-ietf-plants-merkle-tree-certs §4.1). */
  subtreeHash(start: number, end: number): Uint8Array {
    this.expectSubtree(start, end);
    return this.subtreeHashUnchecked(start, end).slice();
  }

  /** PATH(leafIndex, D[0:treeSize]) (RFC 9162 §2.1.3.1), lowest node first. */
  inclusionPath(leafIndex: number, treeSize: number = this.size): Uint8Array[] {
    expectSize(leafIndex, 'leafIndex');
    this.expectWithin(expectSize(treeSize, 'treeSize'));
    if (leafIndex >= treeSize) throw new AgentError('MERKLE_BAD_RANGE', `inclusion: leaf ${leafIndex} is not below tree size ${treeSize}`);
    return this.pathWithin(leafIndex, 0, treeSize);
  }

  /** PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1); empty when the sizes are equal. */
  consistencyPath(size1: number, size2: number = this.size): Uint8Array[] {
    expectSize(size1, 'size1');
    this.expectWithin(expectSize(size2, 'size2'));
    if (size1 === 0) throw new AgentError('MERKLE_EMPTY_TREE', 'consistency: a proof from the empty tree proves nothing');
    if (size1 > size2) throw new AgentError('MERKLE_BAD_RANGE', `consistency: size1 ${size1} is above size2 ${size2}`);
    // The draft's SUBTREE_PROOF(0, end, D_n) is exactly PROOF(end, D_n).
    return this.subtreeConsistencyUnchecked(0, size1, size2);
  }

  /** Inclusion of a leaf in the subtree [start, end): PATH(leafIndex − start, D[start:end]) (draft §4.3). */
  subtreeInclusionPath(leafIndex: number, start: number, end: number): Uint8Array[] {
    this.expectSubtree(start, end);
    expectSize(leafIndex, 'leafIndex');
    if (leafIndex < start || leafIndex >= end) {
      throw new AgentError('MERKLE_BAD_RANGE', `subtree inclusion: leaf ${leafIndex} is outside [${start}, ${end})`);
    }
    return this.pathWithin(leafIndex - start, start, end);
  }

  /** SUBTREE_PROOF(start, end, D[0:treeSize]) (draft §4.4.1). */
  subtreeConsistencyPath(start: number, end: number, treeSize: number = this.size): Uint8Array[] {
    this.expectSubtree(start, end);
    this.expectWithin(expectSize(treeSize, 'treeSize'));
    if (end > treeSize) throw new AgentError('MERKLE_BAD_RANGE', `subtree consistency: [${start}, ${end}) ends past tree size ${treeSize}`);
    return this.subtreeConsistencyUnchecked(start, end, treeSize);
  }

  proveInclusion(leafIndex: number, treeSize: number = this.size): LogInclusionProof {
    return { leafIndex, treeSize, path: this.inclusionPath(leafIndex, treeSize) };
  }

  proveConsistency(size1: number, size2: number = this.size): LogConsistencyProof {
    return { size1, size2, path: this.consistencyPath(size1, size2) };
  }

  private expectWithin(size: number): void {
    if (size > this.size) throw new AgentError('MERKLE_BEYOND_LOG', `size ${size} is beyond the log's ${this.size} leaves`);
  }

  private expectSubtree(start: number, end: number): void {
    expectSize(start, 'start');
    expectSize(end, 'end');
    if (!isSubtree(start, end)) throw new AgentError('MERKLE_BAD_RANGE', `[${start}, ${end}) is not a subtree`);
    this.expectWithin(end);
  }

  /**
   * MTH(D[start:end]) of a subtree: its size splits into complete subtrees, largest first, each
   * aligned because start is a multiple of BIT_CEIL(size); RFC 9162's split point k is always the
   * first of them, so the hash is the right fold of the stored nodes.
   */
  private subtreeHashUnchecked(start: number, end: number): Uint8Array {
    if (start === end) return emptyLogRoot;
    const pieces: Uint8Array[] = [];
    let offset = start;
    let width = splitPoint(end - start + 1); // the largest power of two ≤ size
    for (let level = Math.log2(width); offset < end; level--, width /= 2) {
      if (offset + width <= end) {
        pieces.push(this.store.get(level, offset / width));
        offset += width;
      }
    }
    let hash = pieces.pop() ?? emptyLogRoot;
    for (const piece of pieces.reverse()) hash = hashLogNode(piece, hash);
    return hash;
  }

  /** PATH(m, D[start:end]) (RFC 9162 §2.1.3.1), walked from the top and returned lowest first. */
  private pathWithin(m: number, start: number, end: number): Uint8Array[] {
    const path: Uint8Array[] = [];
    let low = start;
    let high = end;
    let index = m;
    while (high - low > 1) {
      const k = splitPoint(high - low);
      if (index < k) {
        path.push(copyBytes(this.subtreeHashUnchecked(low + k, high)));
        high = low + k;
      } else {
        path.push(copyBytes(this.subtreeHashUnchecked(low, low + k)));
        low += k;
        index -= k;
      }
    }
    return path.reverse();
  }

  /**
   * SUBTREE_SUBPROOF(start, end, D[0:treeSize], true) (draft §4.4.1), walked from the top.
   * `known` is the draft's b: whether the verifier already holds the current node's hash.
   */
  private subtreeConsistencyUnchecked(start: number, end: number, treeSize: number): Uint8Array[] {
    if (start === end) return [];
    const proof: Uint8Array[] = [];
    let low = 0;
    let high = treeSize;
    let subtreeStart = start;
    let known = true;
    while (!(subtreeStart === low && end === high)) {
      const middle = low + splitPoint(high - low);
      if (end <= middle) {
        proof.push(copyBytes(this.subtreeHashUnchecked(middle, high)));
        high = middle;
      } else {
        // Either the subtree lies right of the split, or it straddles it (then it starts at low).
        proof.push(copyBytes(this.subtreeHashUnchecked(low, middle)));
        if (subtreeStart < middle) {
          subtreeStart = middle;
          known = false;
        }
        low = middle;
      }
    }
    if (!known) proof.push(copyBytes(this.subtreeHashUnchecked(low, high)));
    return proof.reverse();
  }
}
