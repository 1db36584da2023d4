import type { BlockHeader } from '../ledger/block-types.ts';
import type { Endpoint } from '../ledger/tx-types.ts';

/**
 * The data of snapshot bootstrap (docs/PROTOCOL.md "Snapshots"). A snapshot is the whole ledger
 * state after block `height`, cut into chunks in one canonical order; the **state root** is the
 * RFC 9162 root over the chunks, so each chunk is checked on arrival by an inclusion proof.
 */

/** What an authority signs: the chain (its parameters hash), the block, and the state after it. */
export type SnapshotClaim = {
  readonly chainId: Uint8Array;
  readonly height: number;
  readonly blockHash: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly chunkCount: number;
};

export type Attestation = {
  readonly claim: SnapshotClaim;
  /** BIP340 x-only key of the authority. */
  readonly authority: Uint8Array;
  readonly signature: Uint8Array;
};

declare const verifiedBrand: unique symbol;

/**
 * Data whose checks passed: a claim every configured authority signed, or a chunk whose proof
 * leads to the attested root. Only this module's verifiers make one, so the importer cannot be
 * handed unchecked bytes by mistake.
 */
export type Verified<Value> = Value & { readonly [verifiedBrand]: true };

/** The brand is a type-level promise; the verifiers are the only callers. */
export function markVerified<Value>(value: Value): Verified<Value> {
  return value as Verified<Value>;
}

/**
 * One row of the ledger, as a snapshot carries it. Records travel in canonical order: by kind
 * (the order below), then by the key each kind names. A stake snapshot's entries follow it, and
 * a subject's events follow its event log, so each chunk can be imported and checked in turn.
 */
export type SnapshotRecord =
  | {
      readonly kind: 'tip';
      readonly header: BlockHeader;
      readonly supply: bigint;
      readonly feesBurned: bigint;
      readonly transactionLogPeaks: readonly Uint8Array[];
    }
  | { readonly kind: 'header'; readonly header: BlockHeader }
  | { readonly kind: 'transaction'; readonly txHash: Uint8Array; readonly height: number; readonly position: number; readonly logIndex: number; readonly bytes: Uint8Array }
  | {
      readonly kind: 'output';
      /** tx hash ‖ u16 index, as the ledger writes outpoints. */
      readonly outpoint: Uint8Array;
      readonly amount: bigint;
      readonly key: Uint8Array;
      readonly host: Uint8Array;
      readonly createdHeight: number;
      readonly spentHeight: number | null;
    }
  | { readonly kind: 'name'; readonly name: string; readonly owner: Uint8Array; readonly registeredHeight: number; readonly expiresHeight: number }
  | { readonly kind: 'agent'; readonly key: Uint8Array; readonly name: string; readonly endpoint: Endpoint; readonly registeredHeight: number }
  | { readonly kind: 'stake'; readonly host: Uint8Array; readonly stake: bigint }
  | { readonly kind: 'stakeSnapshot'; readonly height: number; readonly root: Uint8Array }
  | { readonly kind: 'stakeEntry'; readonly height: number; readonly index: number; readonly key: Uint8Array; readonly stake: bigint }
  | { readonly kind: 'eventLog'; readonly subject: Uint8Array; readonly count: number; readonly peaks: readonly Uint8Array[] }
  | { readonly kind: 'event'; readonly subject: Uint8Array; readonly sequence: number; readonly record: Uint8Array };

export type SnapshotRecordKind = SnapshotRecord['kind'];

/** A decoded chunk: its place in the snapshot and its records. */
export type SnapshotChunk = {
  readonly index: number;
  readonly records: readonly SnapshotRecord[];
};
