import { concatBytes } from '../../names/index.ts';
import { merkleHashBytes, sparseValueBytesMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { hashSparseLeaf, hashSparseNode } from './hash.ts';

/**
 * Nodes of the sparse Merkle tree and the store that holds them, addressed by node hash.
 * Content addressing makes the tree persistent: every root ever committed stays readable until
 * its stale nodes are deleted, so proofs "as of block n" need nothing more than that block's root.
 * Empty subtrees are never stored (they are sparseEmptyHash).
 */
export type SparseInternalNode = { readonly kind: 'internal'; readonly left: Uint8Array; readonly right: Uint8Array };
export type SparseLeafNode = { readonly kind: 'leaf'; readonly key: Uint8Array; readonly valueHash: Uint8Array; readonly value: Uint8Array };
export type SparseNode = SparseInternalNode | SparseLeafNode;

export interface SparseNodeReader {
  getNode(hash: Uint8Array): SparseNode | undefined;
}

/** A SQLite store implements these three over a table (hash BLOB PRIMARY KEY, node BLOB), using encodeSparseNode. */
export interface SparseNodeStore extends SparseNodeReader {
  putNode(hash: Uint8Array, node: SparseNode): void;
  deleteNode(hash: Uint8Array): void;
}

export function hashOfSparseNode(node: SparseNode): Uint8Array {
  return node.kind === 'leaf' ? hashSparseLeaf(node.key, node.valueHash) : hashSparseNode(node.left, node.right);
}

export class MemorySparseNodeStore implements SparseNodeStore {
  // Keys are the hash as a 32-character latin1 string: a third the size of hex, and V8 keeps it one byte per char.
  private readonly nodes = new Map<string, SparseNode>();

  get size(): number {
    return this.nodes.size;
  }

  getNode(hash: Uint8Array): SparseNode | undefined {
    return this.nodes.get(hashKey(hash));
  }

  putNode(hash: Uint8Array, node: SparseNode): void {
    this.nodes.set(hashKey(hash), node);
  }

  deleteNode(hash: Uint8Array): void {
    this.nodes.delete(hashKey(hash));
  }
}

export function hashKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('latin1');
}

const internalTag = 0x01;
const leafTag = 0x02;

/**
 * Storage encoding of a node (not a wire format: proofs have their own, sparse-codec.ts):
 *   internal  0x01 ‖ left (32) ‖ right (32)
 *   leaf      0x02 ‖ key (32) ‖ value hash (32) ‖ value (0..sparseValueBytesMax)
 */
export function encodeSparseNode(node: SparseNode): Uint8Array {
  return node.kind === 'internal'
    ? concatBytes(Uint8Array.of(internalTag), node.left, node.right)
    : concatBytes(Uint8Array.of(leafTag), node.key, node.valueHash, node.value);
}

export function decodeSparseNode(bytes: Uint8Array): SparseNode {
  const body = 1 + 2 * merkleHashBytes;
  const first = bytes.subarray(1, 1 + merkleHashBytes).slice();
  const second = bytes.subarray(1 + merkleHashBytes, body).slice();
  if (bytes[0] === internalTag && bytes.length === body) return { kind: 'internal', left: first, right: second };
  if (bytes[0] === leafTag && bytes.length >= body && bytes.length <= body + sparseValueBytesMax) {
    return { kind: 'leaf', key: first, valueHash: second, value: bytes.slice(body) };
  }
  throw new AgentError('MERKLE_BAD_ENCODING', `sparse node: unknown tag ${bytes[0]} or bad length ${bytes.length}`);
}
