import assert from 'node:assert/strict';
import { sparseDepthMax, sparseValueBytesMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { expectHash } from './checks.ts';
import { copyBytes, hashSparseLeaf, hashSparseNode, hashSparseValue, isSparseEmptyHash, sparseEmptyHash } from './hash.ts';
import { hashKey, type SparseLeafNode, type SparseNode, type SparseNodeReader } from './sparse-node.ts';
import { keyBit, type SparseProof } from './sparse-verify.ts';

/**
 * A sparse Merkle tree over 256-bit keys, in the Diem/Aptos shape: the full tree is 256 levels
 * deep, but an empty subtree is the constant sparseEmptyHash and a subtree holding exactly one
 * leaf is that leaf, lifted to where its path leaves every other key's. A tree of N random keys
 * is therefore about log2 N levels deep where it matters; proofs and updates cost that many
 * hashes instead of 256. docs/DECISIONS.md has the measurements behind this shape.
 *
 * Everything here is pure over a SparseNodeReader: an update reads the old nodes and returns the
 * nodes to write and the ones it made stale; the caller writes them (in its SQLite transaction).
 */

export type SparseUpdate = { readonly key: Uint8Array; readonly value: Uint8Array | null };

export type SparseNodeEntry = { readonly hash: Uint8Array; readonly node: SparseNode };

export type SparseBatch = {
  readonly root: Uint8Array;
  /**
   * Nodes of the new tree that the store may lack. Some it may already hold (a leaf that moved
   * keeps its hash), so write them insert-or-ignore, and before deleting `stale`.
   */
  readonly created: readonly SparseNodeEntry[];
  /**
   * Nodes of the old tree that the new tree no longer reaches; delete them unless keeping history.
   * A store that keeps history and prunes later must not delete a hash a later batch created
   * again (content addressing: the same subtree, the same hash).
   */
  readonly stale: readonly Uint8Array[];
};

/** A subtree during an update: its hash, and what it is when we already know. */
type Ref = { readonly hash: Uint8Array; kind: 'empty' | 'leaf' | 'internal' | 'unknown' };
type Item = { readonly hash: Uint8Array; readonly node: SparseLeafNode };

type Batch = {
  readonly reader: SparseNodeReader;
  /** Each node of the new tree is built once: a hash names one subtree, and keys are distinct. */
  readonly created: SparseNodeEntry[];
  readonly stale: Map<string, Uint8Array>;
};

const emptyRef: Ref = { hash: sparseEmptyHash, kind: 'empty' };

/** Applies a batch of sets (value) and deletes (null) to the tree at `root`; a later update of a key wins. */
export function applySparseUpdates(reader: SparseNodeReader, root: Uint8Array, updates: readonly SparseUpdate[]): SparseBatch {
  expectHash(root, 'root');
  const sorted = sortUpdates(updates);
  const batch: Batch = { reader, created: [], stale: new Map() };
  const result = updateSubtree(batch, { hash: root, kind: 'unknown' }, 0, sorted, 0, sorted.length);
  // A leaf that moved, or a subtree rebuilt unchanged, is both old and new: it is not stale.
  if (batch.stale.size > 0) for (const { hash } of batch.created) batch.stale.delete(hashKey(hash));
  return { root: result.hash.slice(), created: batch.created, stale: [...batch.stale.values()] };
}

/** Validates, keeps the last update of each key, and sorts by key (latin1 strings compare as the bytes do). */
function sortUpdates(updates: readonly SparseUpdate[]): SparseUpdate[] {
  const latest = new Map<string, SparseUpdate>();
  for (const [index, update] of updates.entries()) {
    expectHash(update.key, `updates[${index}].key`);
    if (update.value !== null && update.value.length > sparseValueBytesMax) {
      throw new AgentError('MERKLE_BAD_VALUE', `updates[${index}].value: at most ${sparseValueBytesMax} bytes, got ${update.value.length}`);
    }
    latest.set(hashKey(update.key), update);
  }
  const keys = [...latest.keys()].sort();
  return keys.map((key) => latest.get(key) as SparseUpdate);
}

function readNode(batch: Batch, hash: Uint8Array): SparseNode {
  const node = batch.reader.getNode(hash);
  assert.ok(node !== undefined, 'sparse tree: a reachable node is missing from the store');
  return node;
}

function updateSubtree(batch: Batch, ref: Ref, depth: number, updates: readonly SparseUpdate[], low: number, high: number): Ref {
  if (low === high) return ref;
  if (isSparseEmptyHash(ref.hash)) return buildAll(batch, mergeLeaf(undefined, updates, low, high), depth);
  const node = readNode(batch, ref.hash);
  batch.stale.set(hashKey(ref.hash), ref.hash);
  if (node.kind === 'leaf') return buildAll(batch, mergeLeaf({ hash: ref.hash, node }, updates, low, high), depth);
  const split = splitIndex((index) => updates[index]?.key, low, high, depth);
  const left = updateSubtree(batch, { hash: node.left, kind: 'unknown' }, depth + 1, updates, low, split);
  const right = updateSubtree(batch, { hash: node.right, kind: 'unknown' }, depth + 1, updates, split, high);
  return combine(batch, left, right);
}

/** The leaves of a subtree after the updates: the old leaf (if any and not overwritten) among the new ones, sorted. */
function mergeLeaf(existing: Item | undefined, updates: readonly SparseUpdate[], low: number, high: number): Item[] {
  const items: Item[] = [];
  let pending = existing;
  for (let index = low; index < high; index++) {
    const update = updates[index];
    assert.ok(update !== undefined);
    if (pending !== undefined) {
      const order = Buffer.compare(pending.node.key, update.key);
      if (order < 0) items.push(pending);
      if (order <= 0) pending = undefined;
    }
    if (update.value !== null) items.push(newLeaf(update.key, update.value));
  }
  if (pending !== undefined) items.push(pending);
  return items;
}

function newLeaf(key: Uint8Array, value: Uint8Array): Item {
  const valueHash = hashSparseValue(value);
  const node: SparseLeafNode = { kind: 'leaf', key: copyBytes(key), valueHash, value: copyBytes(value) };
  return { hash: hashSparseLeaf(key, valueHash), node };
}

function buildAll(batch: Batch, items: readonly Item[], depth: number): Ref {
  return build(batch, items, 0, items.length, depth);
}

/** The canonical subtree at `depth` holding exactly items[low, high) (sorted, distinct keys). */
function build(batch: Batch, items: readonly Item[], low: number, high: number, depth: number): Ref {
  if (high === low) return emptyRef;
  if (high - low === 1) {
    const item = items[low];
    assert.ok(item !== undefined);
    batch.created.push(item);
    return { hash: item.hash, kind: 'leaf' };
  }
  assert.ok(depth < sparseDepthMax, 'sparse tree: two distinct keys differ within 256 bits');
  const split = splitIndex((index) => items[index]?.node.key, low, high, depth);
  return combine(batch, build(batch, items, low, split, depth + 1), build(batch, items, split, high, depth + 1));
}

/** The parent of two subtrees, keeping the tree canonical: no node over (empty, empty) or (leaf, empty). */
function combine(batch: Batch, left: Ref, right: Ref): Ref {
  if (isEmpty(left)) {
    if (isEmpty(right) || kindOf(batch, right) === 'leaf') return right;
  } else if (isEmpty(right) && kindOf(batch, left) === 'leaf') {
    return left;
  }
  const node: SparseNode = { kind: 'internal', left: left.hash, right: right.hash };
  const hash = hashSparseNode(left.hash, right.hash);
  batch.created.push({ hash, node });
  return { hash, kind: 'internal' };
}

function isEmpty(ref: Ref): boolean {
  return ref.kind === 'empty' || (ref.kind === 'unknown' && isSparseEmptyHash(ref.hash));
}

/** What a subtree is; reads the store only for a subtree the update did not touch. */
function kindOf(batch: Batch, ref: Ref): Ref['kind'] {
  if (ref.kind === 'unknown') ref.kind = isSparseEmptyHash(ref.hash) ? 'empty' : readNode(batch, ref.hash).kind;
  return ref.kind;
}

/** Keys in [low, high) share their first `depth` bits and are sorted: the first index whose next bit is 1. */
function splitIndex(keyAt: (index: number) => Uint8Array | undefined, low: number, high: number, depth: number): number {
  let first = low;
  let last = high;
  while (first < last) {
    const middle = (first + last) >>> 1;
    const key = keyAt(middle);
    assert.ok(key !== undefined);
    if (keyBit(key, depth) === 0) first = middle + 1;
    else last = middle;
  }
  return first;
}

/**
 * The proof for `key` in the tree at `root`: membership when the key is present (value set),
 * non-membership otherwise. Reads one node per level and hashes nothing.
 */
export function proveSparse(reader: SparseNodeReader, root: Uint8Array, key: Uint8Array): { proof: SparseProof; value: Uint8Array | null } {
  expectHash(root, 'root');
  expectHash(key, 'key');
  const siblings: Uint8Array[] = [];
  let hash = root;
  for (let depth = 0; !isSparseEmptyHash(hash); depth++) {
    const node = reader.getNode(hash);
    assert.ok(node !== undefined, 'sparse tree: a reachable node is missing from the store');
    if (node.kind === 'leaf') {
      const leaf = { key: copyBytes(node.key), valueHash: copyBytes(node.valueHash) };
      const value = Buffer.compare(node.key, key) === 0 ? copyBytes(node.value) : null;
      return { proof: { siblings, leaf }, value };
    }
    const bit = keyBit(key, depth);
    siblings.push(copyBytes(bit === 0 ? node.right : node.left));
    hash = bit === 0 ? node.left : node.right;
  }
  return { proof: { siblings, leaf: null }, value: null };
}
