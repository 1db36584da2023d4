import { encodeOutpoint } from '../ledger/tx-hash.ts';
import { canonicalContents, memoryContents, type LedgerContents } from '../ledger/state-contents.ts';
import type { MemoryLedgerState } from '../ledger/state-memory.ts';
import { buildSnapshot, type BuildOptions, type SnapshotExport } from './snapshot-build.ts';
import type { SnapshotRecord } from './types.ts';

/**
 * The records of a snapshot from LedgerContents (state-contents.ts), in canonical order. The
 * SQLite exporter (export.ts) reads the same rows from the file; the tests check that both give
 * the same state root, which is what lets an in-memory simulator act as an authority.
 */
export function* recordsFromContents(contents: LedgerContents): Generator<SnapshotRecord> {
  const sorted = canonicalContents(contents);
  if (sorted.tip === null) return;
  yield { kind: 'tip', header: sorted.tip.header, supply: sorted.tip.supply, feesBurned: sorted.tip.feesBurned, transactionLogPeaks: sorted.tip.transactionLogPeaks };
  for (const header of sorted.headers) yield { kind: 'header', header };
  for (const record of sorted.transactions) yield { kind: 'transaction', ...record };
  for (const record of sorted.outputs) {
    yield { kind: 'output', outpoint: encodeOutpoint(record.outpoint), ...record.output, createdHeight: record.createdHeight, spentHeight: record.spentHeight };
  }
  for (const record of sorted.names) yield { kind: 'name', ...record };
  for (const record of sorted.agents) yield { kind: 'agent', ...record };
  for (const entry of sorted.stakes) yield { kind: 'stake', host: entry.key, stake: entry.stake };
  for (const snapshot of sorted.snapshots) {
    yield { kind: 'stakeSnapshot', height: snapshot.height, root: snapshot.root };
    for (const [index, entry] of snapshot.entries.entries()) yield { kind: 'stakeEntry', height: snapshot.height, index, key: entry.key, stake: entry.stake };
  }
  for (const log of sorted.eventLogs) {
    yield { kind: 'eventLog', subject: log.subject, count: log.count, peaks: log.peaks };
    for (const [sequence, record] of log.events.entries()) yield { kind: 'event', subject: log.subject, sequence, record };
  }
}

/** A snapshot of an in-memory state (the simulator's authorities, and tests). */
export function snapshotFromMemory(state: MemoryLedgerState, options: BuildOptions = {}): SnapshotExport {
  return buildSnapshot(recordsFromContents(memoryContents(state)), options);
}
