import { expectHash } from './checks.ts';
import { sparseEmptyHash } from './hash.ts';
import { applySparseUpdates, proveSparse, type SparseUpdate } from './sparse.ts';
import { MemorySparseNodeStore, type SparseNodeStore } from './sparse-node.ts';
import type { SparseProof } from './sparse-verify.ts';

export type SparseTreeOptions = {
  /** Keep the nodes of earlier roots so they stay provable; otherwise each update deletes what it made stale. */
  readonly keepHistory?: boolean;
};

/**
 * A sparse Merkle tree bound to a store and a current root: the pure functions of sparse.ts
 * plus the writes. In memory by default; the ledger passes a SQLite-backed SparseNodeStore.
 */
export class SparseMerkleTree {
  private currentRoot: Uint8Array;
  private readonly keepHistory: boolean;

  constructor(
    readonly store: SparseNodeStore = new MemorySparseNodeStore(),
    root: Uint8Array = sparseEmptyHash,
    options: SparseTreeOptions = {},
  ) {
    this.currentRoot = expectHash(root, 'root').slice();
    this.keepHistory = options.keepHistory ?? false;
  }

  get root(): Uint8Array {
    return this.currentRoot.slice();
  }

  /** Applies sets and deletes as one batch and returns the new root. */
  update(updates: readonly SparseUpdate[]): Uint8Array {
    const batch = applySparseUpdates(this.store, this.currentRoot, updates);
    for (const { hash, node } of batch.created) this.store.putNode(hash, node);
    if (!this.keepHistory) for (const hash of batch.stale) this.store.deleteNode(hash);
    this.currentRoot = batch.root;
    return this.root;
  }

  set(key: Uint8Array, value: Uint8Array): Uint8Array {
    return this.update([{ key, value }]);
  }

  delete(key: Uint8Array): Uint8Array {
    return this.update([{ key, value: null }]);
  }

  get(key: Uint8Array, root: Uint8Array = this.currentRoot): Uint8Array | null {
    return proveSparse(this.store, root, key).value;
  }

  /** A membership or non-membership proof for `key`, at the current root or an earlier one still stored. */
  prove(key: Uint8Array, root: Uint8Array = this.currentRoot): { proof: SparseProof; value: Uint8Array | null } {
    return proveSparse(this.store, root, key);
  }
}
