import type { HeaderRoots } from '../merkle/index.ts';
import type { Transaction } from './tx-types.ts';

/**
 * A block header commits the whole state after its block (docs/PROTOCOL.md "Ledger"):
 * a light client that trusts a header can check any answer an agent gives against its roots.
 */
export type BlockHeader = HeaderRoots & {
  readonly version: 1;
  /** chainParametersHash of the chain's parameters: a block of another chain never applies. */
  readonly parametersHash: Uint8Array;
  readonly height: number;
  /** Hash of the previous header; 32 zero bytes at genesis. */
  readonly previousHash: Uint8Array;
  /** Milliseconds since the Unix epoch; strictly after the previous block's. */
  readonly timeMs: number;
  /**
   * Size and RFC 9162 root of the log of every transaction since genesis (leaf data: the
   * transaction hash). With outpointRoot and keyEventRoot these are merkle's HeaderRoots, so a
   * header is passed to the light-client checks as it is.
   */
  readonly transactionCount: number;
  readonly transactionLogRoot: Uint8Array;
  /** Sparse Merkle root over every outpoint ever created: unspent, or spent in block n. */
  readonly outpointRoot: Uint8Array;
  /** Sparse Merkle root over every key and name with events: (event count, event-log root). */
  readonly keyEventRoot: Uint8Array;
  /** RFC 9162 root over (agent key, stake) at stakeSnapshotHeight(height). */
  readonly stakeSnapshotRoot: Uint8Array;
};

export type Block = {
  readonly header: BlockHeader;
  readonly transactions: readonly Transaction[];
};
