import type { SparseNodeEntry, SparseNodeReader } from '../merkle/index.ts';
import type { ChainParameters } from './block-params.ts';
import type { BlockHeader } from './block-types.ts';
import type { Endpoint, Outpoint, Output } from './tx-types.ts';

/**
 * The ledger state as the state-transition function sees it: a read-only view (LedgerView) in,
 * a set of changes (LedgerChanges) out. The in-memory state (state-memory.ts) and the SQLite
 * store (store-sqlite.ts) both implement the view and both write the same changes, so one apply
 * serves the simulator and the daemon, and the compliance suite checks they agree.
 */

/** Every output ever created stays, spent or not: the outpoint tree proves "spent in block n". */
export type OutputRecord = {
  readonly outpoint: Outpoint;
  readonly output: Output;
  readonly createdHeight: number;
  readonly spentHeight: number | null;
};

/** A global name is live at height h while h < expiresHeight. */
export type NameRecord = {
  readonly name: string;
  readonly owner: Uint8Array;
  readonly registeredHeight: number;
  readonly expiresHeight: number;
};

/**
 * An agent (peer). It is live while its name is live and owned by its key (state-agents.ts):
 * only live agents can host new outputs and appear in stake snapshots.
 */
export type AgentRecord = {
  readonly key: Uint8Array;
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly registeredHeight: number;
};

export type StakeEntry = { readonly key: Uint8Array; readonly stake: bigint };

/** The live agents with stake, by key, after block `height`; `root` is committed in headers. */
export type StakeSnapshot = {
  readonly height: number;
  readonly entries: readonly StakeEntry[];
  readonly root: Uint8Array;
};

/** The compact range of one subject's RFC 9162 event log (merkle LogFrontier peaks). */
export type EventLogState = { readonly count: number; readonly peaks: readonly Uint8Array[] };

export type LedgerTip = {
  readonly header: BlockHeader;
  readonly headerHash: Uint8Array;
  /** Peaks of the transaction log, so the next block can append without the leaves. */
  readonly transactionLogPeaks: readonly Uint8Array[];
  /** Sum of unspent outputs; supply + feesBurned = everything genesis minted. */
  readonly supply: bigint;
  readonly feesBurned: bigint;
};

export type SparseTreeName = 'outpoint' | 'keyEvent';

export interface LedgerView {
  readonly params: ChainParameters;
  readonly parametersHash: Uint8Array;
  /** Null before genesis. */
  tip(): LedgerTip | null;
  output(outpoint: Outpoint): OutputRecord | undefined;
  hasTransaction(txHash: Uint8Array): boolean;
  name(name: string): NameRecord | undefined;
  agent(key: Uint8Array): AgentRecord | undefined;
  /** Every agent ever registered (a small set): snapshots filter the live ones. */
  agents(): AgentRecord[];
  /** Sum of the unspent outputs hosted with `host`; 0n when none. */
  stake(host: Uint8Array): bigint;
  stakeSnapshot(height: number): StakeSnapshot | undefined;
  eventLog(subject: Uint8Array): EventLogState | undefined;
  sparseNodes(tree: SparseTreeName): SparseNodeReader;
}

/** A transaction as committed: where it is, and its canonical bytes. */
export type TransactionRecord = {
  readonly txHash: Uint8Array;
  readonly height: number;
  readonly position: number;
  /** Leaf index in the transaction log (RFC 9162), counted from genesis. */
  readonly logIndex: number;
  readonly bytes: Uint8Array;
};

/** The events appended to one subject's log by a block, and the log after them. */
export type EventLogChange = {
  readonly subject: Uint8Array;
  readonly appended: readonly Uint8Array[];
  readonly log: EventLogState;
};

export type SparseChange = {
  readonly created: readonly SparseNodeEntry[];
  /** Nodes the new root no longer reaches: a store deletes them unless it keeps history. */
  readonly stale: readonly Uint8Array[];
};

/**
 * What one block changes, as final values (upserts): a store applies all of it in one
 * transaction, or none of it.
 */
export type LedgerChanges = {
  readonly tip: LedgerTip;
  readonly transactions: readonly TransactionRecord[];
  readonly outputs: readonly OutputRecord[];
  readonly names: readonly NameRecord[];
  readonly agents: readonly AgentRecord[];
  readonly stakes: readonly StakeEntry[];
  readonly eventLogs: readonly EventLogChange[];
  /** Captured when the block's height is a multiple of the snapshot interval. */
  readonly stakeSnapshot: StakeSnapshot | null;
  readonly sparse: { readonly [tree in SparseTreeName]: SparseChange };
};

/**
 * A mutable holder of the latest state: MemoryLedgerStore (state-memory.ts) and
 * SqliteLedgerStore (store-sqlite.ts). The compliance suite runs the same tests over both.
 */
export interface LedgerStore extends LedgerView {
  /** Writes changes computed against the current tip, all or nothing. */
  commit(changes: LedgerChanges): void;
  /** Every event record of a subject, in order (what an agent serves a wallet). */
  events(subject: Uint8Array): Uint8Array[];
  header(height: number): BlockHeader | undefined;
  transaction(txHash: Uint8Array): TransactionRecord | undefined;
}
