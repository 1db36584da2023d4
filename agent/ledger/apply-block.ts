import assert from 'node:assert/strict';
import { bytesToHex, equalBytes } from '../../names/index.ts';
import { ledgerHeaderBytes, ledgerHeaderVersion } from '../constants.ts';
import { AgentError } from '../errors.ts';
import {
  applySparseUpdates,
  encodeKeyEventsSummary,
  encodeOutpointStatus,
  LogFrontier,
  outpointKey,
  sparseEmptyHash,
  type SparseUpdate,
} from '../merkle/index.ts';
import { applyTransaction, type TransactionContext } from './apply-tx.ts';
import { isStakeSnapshotHeight, stakeSnapshotHeight } from './block-params.ts';
import { headerHash } from './block-codec.ts';
import type { Block, BlockHeader } from './block-types.ts';
import { StateOverlay } from './state-overlay.ts';
import { captureStakeSnapshot } from './state-stake.ts';
import type { LedgerChanges, LedgerView, StakeSnapshot } from './state-types.ts';
import { outputHash } from './tx-hash.ts';
import type { Transaction } from './tx-types.ts';

/**
 * The state-transition function. Pure: it reads a LedgerView and returns the changes a block
 * makes, or the first typed error and the position of the transaction that caused it. Nothing
 * is written; a store commits the changes (all or nothing).
 */
export type ApplyOptions = Pick<TransactionContext, 'preverified'>;

export type ApplyResult =
  | { readonly ok: true; readonly changes: LedgerChanges }
  | { readonly ok: false; readonly error: AgentError; readonly transactionIndex: number | null };

export function applyBlock(view: LedgerView, block: Block, options: ApplyOptions = {}): ApplyResult {
  try {
    checkLinks(view, block.header);
    checkBlockSize(view, block.transactions.length, 0);
  } catch (error) {
    return failure(error, null);
  }
  const overlay = new StateOverlay(view);
  const frontier = transactionLog(view);
  let blockBytes = ledgerHeaderBytes + 4;
  for (const [position, tx] of block.transactions.entries()) {
    try {
      const { bytes, txHash } = applyTransaction(overlay, tx, { ...options, params: view.params, parametersHash: view.parametersHash, height: block.header.height, position, logIndex: frontier.size });
      frontier.appendData(txHash);
      blockBytes += bytes.length;
    } catch (error) {
      return failure(error, position);
    }
  }
  try {
    checkBlockSize(view, block.transactions.length, blockBytes);
    const changes = finish(view, overlay, frontier, block.header);
    checkRoots(block.header, changes.tip.header);
    return { ok: true, changes };
  } catch (error) {
    return failure(error, null);
  }
}

export type ProposeResult = {
  readonly block: Block;
  readonly changes: LedgerChanges;
  /** Transactions left out, with the reason: a proposer drops what would fail the block. */
  readonly rejected: readonly { readonly index: number; readonly error: AgentError }[];
};

/**
 * Builds the next block from candidate transactions, in order, leaving out any that fails and
 * stopping at the block limits; the header carries the roots the kept transactions produce.
 */
export function proposeBlock(view: LedgerView, candidates: readonly Transaction[], timeMs: number, options: ApplyOptions = {}): ProposeResult {
  const tip = view.tip();
  const height = tip === null ? 0 : tip.header.height + 1;
  const overlay = new StateOverlay(view);
  const frontier = transactionLog(view);
  const kept: Transaction[] = [];
  const rejected: { index: number; error: AgentError }[] = [];
  let blockBytes = ledgerHeaderBytes + 4;
  for (const [index, tx] of candidates.entries()) {
    if (kept.length >= view.params.blockTransactionsMax) break;
    const child = overlay.child();
    try {
      const { bytes, txHash } = applyTransaction(child, tx, { ...options, params: view.params, parametersHash: view.parametersHash, height, position: kept.length, logIndex: frontier.size });
      if (blockBytes + bytes.length > view.params.blockBytesMax) break;
      child.mergeIntoParent();
      frontier.appendData(txHash);
      blockBytes += bytes.length;
      kept.push(tx);
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      rejected.push({ index, error });
    }
  }
  if (tip !== null && timeMs <= tip.header.timeMs) {
    throw new AgentError('LEDGER_BAD_TIME', `proposal at ${timeMs} ms, not after the previous block's ${tip.header.timeMs} ms`);
  }
  const draft = { height, previousHash: tip === null ? new Uint8Array(32) : tip.headerHash, timeMs };
  const changes = finish(view, overlay, frontier, draft);
  return { block: { header: changes.tip.header, transactions: kept }, changes, rejected };
}

function failure(error: unknown, transactionIndex: number | null): ApplyResult {
  if (!(error instanceof AgentError)) throw error; // not an expected failure: a bug, let it crash
  return { ok: false, error, transactionIndex };
}

function transactionLog(view: LedgerView): LogFrontier {
  const tip = view.tip();
  return tip === null ? LogFrontier.empty() : LogFrontier.fromPeaks(tip.header.transactionCount, tip.transactionLogPeaks);
}

/** The header's place in the chain: parameters, height, previous hash, time. */
function checkLinks(view: LedgerView, header: BlockHeader): void {
  if (header.version !== ledgerHeaderVersion) throw new AgentError('LEDGER_UNKNOWN_VERSION', `block header: version ${String(header.version)}`);
  if (!equalBytes(header.parametersHash, view.parametersHash)) {
    throw new AgentError('LEDGER_BAD_PARAMETERS', `block for parameters ${bytesToHex(header.parametersHash)}, this chain has ${bytesToHex(view.parametersHash)}`);
  }
  const tip = view.tip();
  const height = tip === null ? 0 : tip.header.height + 1;
  if (header.height !== height) throw new AgentError('LEDGER_BAD_HEIGHT', `block at height ${header.height}, expected ${height}`);
  const previousHash = tip === null ? new Uint8Array(32) : tip.headerHash;
  if (!equalBytes(header.previousHash, previousHash)) {
    throw new AgentError('LEDGER_BAD_PREVIOUS_HASH', `block ${header.height} follows ${bytesToHex(header.previousHash)}, the tip is ${bytesToHex(previousHash)}`);
  }
  if (tip !== null && header.timeMs <= tip.header.timeMs) {
    throw new AgentError('LEDGER_BAD_TIME', `block ${header.height} at ${header.timeMs} ms, not after the previous block's ${tip.header.timeMs} ms`);
  }
}

function checkBlockSize(view: LedgerView, count: number, bytes: number): void {
  const { blockTransactionsMax, blockBytesMax } = view.params;
  if (count > blockTransactionsMax) throw new AgentError('LEDGER_BLOCK_TOO_LARGE', `${count} transactions, at most ${blockTransactionsMax}`);
  if (bytes > blockBytesMax) throw new AgentError('LEDGER_BLOCK_TOO_LARGE', `${bytes} bytes, at most ${blockBytesMax}`);
}

const committedRoots = ['transactionCount', 'transactionLogRoot', 'outpointRoot', 'keyEventRoot', 'stakeSnapshotRoot'] as const;

function checkRoots(claimed: BlockHeader, computed: BlockHeader): void {
  for (const field of committedRoots) {
    const a = claimed[field];
    const b = computed[field];
    const same = typeof a === 'number' ? a === b : equalBytes(a, b as Uint8Array);
    if (!same) throw new AgentError('LEDGER_BAD_ROOT', `block ${claimed.height}: ${field} does not match what its transactions produce`);
  }
}

type Draft = Pick<BlockHeader, 'height' | 'previousHash' | 'timeMs'>;

/** The roots after the block's transactions, the new tip, and every change as final values. */
function finish(view: LedgerView, overlay: StateOverlay, frontier: LogFrontier, draft: Draft): LedgerChanges {
  const tip = view.tip();
  const outpointUpdates: SparseUpdate[] = [...overlay.outputs.values()].map((record) => ({
    key: outpointKey(record.outpoint.txHash, record.outpoint.index),
    value: encodeOutpointStatus(
      record.spentHeight === null
        ? { state: 'unspent', outputHash: outputHash(record.output) }
        : { state: 'spent', spentAtHeight: record.spentHeight, outputHash: outputHash(record.output) },
    ),
  }));
  const eventUpdates: SparseUpdate[] = [...overlay.eventLogs.values()].map((work) => ({
    key: work.subject,
    value: encodeKeyEventsSummary({ eventCount: work.frontier.size, eventLogRoot: work.frontier.root() }),
  }));
  const outpointBatch = applySparseUpdates(view.sparseNodes('outpoint'), tip?.header.outpointRoot ?? sparseEmptyHash, outpointUpdates);
  const eventBatch = applySparseUpdates(view.sparseNodes('keyEvent'), tip?.header.keyEventRoot ?? sparseEmptyHash, eventUpdates);
  const stakeSnapshot = isStakeSnapshotHeight(view.params, draft.height) ? captureStakeSnapshot(overlay, draft.height) : null;
  const header: BlockHeader = {
    version: ledgerHeaderVersion,
    parametersHash: view.parametersHash,
    ...draft,
    transactionCount: frontier.size,
    transactionLogRoot: frontier.root(),
    outpointRoot: outpointBatch.root,
    keyEventRoot: eventBatch.root,
    stakeSnapshotRoot: snapshotFor(view, draft.height, stakeSnapshot).root,
  };
  return {
    tip: {
      header,
      headerHash: headerHash(header),
      transactionLogPeaks: frontier.peakHashes,
      supply: (tip?.supply ?? 0n) + overlay.supplyDelta,
      feesBurned: (tip?.feesBurned ?? 0n) + overlay.feesBurnedDelta,
    },
    transactions: [...overlay.transactions.values()],
    outputs: [...overlay.outputs.values()],
    names: [...overlay.names.values()],
    agents: [...overlay.agentRecords.values()],
    stakes: [...overlay.stakes.values()],
    eventLogs: [...overlay.eventLogs.values()].map((work) => ({
      subject: work.subject,
      appended: work.appended,
      log: { count: work.frontier.size, peaks: work.frontier.peakHashes },
    })),
    stakeSnapshot,
    sparse: {
      outpoint: { created: outpointBatch.created, stale: outpointBatch.stale },
      keyEvent: { created: eventBatch.created, stale: eventBatch.stale },
    },
  };
}

/** The snapshot that weighs `height`: captured by this block, or by an earlier one. */
function snapshotFor(view: LedgerView, height: number, captured: StakeSnapshot | null): StakeSnapshot {
  const wanted = stakeSnapshotHeight(view.params, height);
  if (captured !== null && captured.height === wanted) return captured;
  const snapshot = view.stakeSnapshot(wanted);
  assert.ok(snapshot !== undefined, `ledger: no stake snapshot at height ${wanted}, which every multiple of the interval captures`);
  return snapshot;
}
