import type Database from 'better-sqlite3';
import { bytesToHex, equalBytes } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { encodeHeader, headerHash } from '../ledger/block-codec.ts';
import { encodeStakeEntry } from '../ledger/state-stake.ts';
import { SqliteLogNodeStore } from '../ledger/store-log.ts';
import { encodeAmount, encodeEndpointRow, encodeHashes } from '../ledger/store-rows.ts';
import { decodeTransaction } from '../ledger/tx-codec.ts';
import { hashTransaction, outputHash } from '../ledger/tx-hash.ts';
import {
  applySparseUpdates,
  decodeSparseNode,
  encodeSparseNode,
  encodeKeyEventsSummary,
  encodeOutpointStatus,
  LogFrontier,
  MerkleLog,
  outpointKey,
  type SparseNode,
  type SparseNodeReader,
  type SparseUpdate,
} from '../merkle/index.ts';
import type { ImportProgress } from './import-progress.ts';
import { recordSortKey } from './record-codec.ts';
import type { SnapshotRecord } from './types.ts';

/**
 * Writes one chunk's records into the ledger tables and checks each against the records before
 * it (ImportProgress): canonical order across chunks, the header chain, contiguous transaction
 * log indexes whose bytes hash to the recorded hash, contiguous stake entries and events whose
 * logs match what their snapshot or event log committed. The sparse trees and the transaction
 * log's node table are built as the rows arrive, so the last chunk leaves nothing to rebuild.
 * Runs inside the caller's SQLite transaction; any failure is SNAPSHOT_STATE_MISMATCH (the
 * authorities signed a state that contradicts itself) and rolls the chunk back.
 */
export class ChunkWriter {
  private readonly statements: ReturnType<typeof prepare>;
  private readonly outpointUpdates: SparseUpdate[] = [];
  private readonly keyEventUpdates: SparseUpdate[] = [];
  private pendingEntries: Uint8Array[] = [];
  /** The transaction log's node table (complete subtrees), appended as transactions arrive. */
  private readonly logNodes: MerkleLog;

  constructor(
    db: Database.Database,
    private readonly parametersHash: Uint8Array,
    private readonly progress: ImportProgress,
  ) {
    this.statements = prepare(db);
    this.logNodes = new MerkleLog(new SqliteLogNodeStore(db, progress.transactionLog.size));
  }

  write(records: readonly SnapshotRecord[]): void {
    for (const record of records) {
      const key = recordSortKey(record);
      if (this.progress.lastKey !== null && Buffer.compare(this.progress.lastKey, key) >= 0) mismatch(`a ${record.kind} record is out of canonical order`);
      if (this.progress.tip === null && record.kind !== 'tip') mismatch('the first record is not the tip');
      this.writeRecord(record);
      this.progress.lastKey = key;
    }
    this.flushEntries();
    this.progress.outpointRoot = this.updateTree('outpoint', this.progress.outpointRoot, this.outpointUpdates);
    this.progress.keyEventRoot = this.updateTree('keyEvent', this.progress.keyEventRoot, this.keyEventUpdates);
    this.progress.chunksWritten++;
  }

  /** Closes the stake snapshot and event log still open: called after the last chunk. */
  closeAll(): void {
    this.closeStakeSnapshot();
    this.closeEventLog();
  }

  private writeRecord(record: SnapshotRecord): void {
    const s = this.statements;
    const progress = this.progress;
    switch (record.kind) {
      case 'tip': {
        const { claim } = progress;
        if (!equalBytes(record.header.parametersHash, this.parametersHash)) mismatch('the tip is for other chain parameters than this file');
        if (record.header.height !== claim.height || !equalBytes(headerHash(record.header), claim.blockHash)) mismatch(`the tip is not the attested block ${claim.height}`);
        progress.tip = record;
        return;
      }
      case 'header': {
        const { header } = record;
        const previous = progress.headerCount === 0 ? new Uint8Array(32) : progress.lastHeaderHash;
        if (header.height !== progress.headerCount || !equalBytes(header.previousHash, previous)) mismatch(`header ${header.height} does not follow header ${progress.headerCount - 1}`);
        if (!equalBytes(header.parametersHash, this.parametersHash)) mismatch(`header ${header.height} is for other chain parameters`);
        const hash = headerHash(header);
        s.insertBlock.run(header.height, hash, encodeHeader(header));
        progress.headerCount++;
        progress.lastHeaderHash = hash;
        return;
      }
      case 'transaction': {
        const log = progress.transactionLog;
        if (record.logIndex !== log.size) mismatch(`transaction at log index ${record.logIndex}, expected ${log.size}`);
        if (!equalBytes(transactionHashOf(record.bytes, record.logIndex), record.txHash)) mismatch(`transaction ${record.logIndex}: its bytes do not hash to its hash`);
        s.insertTransaction.run(record.txHash, record.height, record.position, record.logIndex, record.bytes);
        this.logNodes.appendData(record.txHash);
        log.appendData(record.txHash);
        return;
      }
      case 'output': {
        const txHash = record.outpoint.subarray(0, 32);
        const index = new DataView(record.outpoint.buffer, record.outpoint.byteOffset + 32, 2).getUint16(0);
        const hash = outputHash(record);
        const status = record.spentHeight === null ? { state: 'unspent' as const, outputHash: hash } : { state: 'spent' as const, spentAtHeight: record.spentHeight, outputHash: hash };
        this.outpointUpdates.push({ key: outpointKey(txHash, index), value: encodeOutpointStatus(status) });
        s.insertOutput.run(record.outpoint, encodeAmount(record.amount), record.key, record.host, record.createdHeight, record.spentHeight);
        return;
      }
      case 'name':
        s.insertName.run(record.name, record.owner, record.registeredHeight, record.expiresHeight);
        return;
      case 'agent':
        s.insertAgent.run(record.key, record.name, encodeEndpointRow(record.endpoint), record.registeredHeight);
        return;
      case 'stake':
        s.insertStake.run(record.host, encodeAmount(record.stake));
        return;
      case 'stakeSnapshot':
        this.closeStakeSnapshot();
        s.insertSnapshot.run(record.height, record.root, new Uint8Array(0));
        progress.stakeSnapshot = { height: record.height, root: record.root, entries: LogFrontier.empty() };
        return;
      case 'stakeEntry': {
        const open = progress.stakeSnapshot;
        if (open === null || open.height !== record.height || open.entries.size !== record.index) mismatch(`stake entry ${record.index} of snapshot ${record.height} out of place`);
        const entry = encodeStakeEntry(record);
        open.entries.appendData(entry);
        this.pendingEntries.push(entry);
        return;
      }
      case 'eventLog': {
        this.closeEventLog();
        let root: Uint8Array;
        try {
          root = LogFrontier.fromPeaks(record.count, record.peaks).root();
          this.keyEventUpdates.push({ key: record.subject, value: encodeKeyEventsSummary({ eventCount: record.count, eventLogRoot: root }) });
        } catch (error) {
          if (error instanceof AgentError) mismatch(`event log ${bytesToHex(record.subject)}: ${error.message}`);
          throw error;
        }
        s.insertEventLog.run(record.subject, record.count, encodeHashes(record.peaks));
        progress.eventLog = { subject: record.subject, count: record.count, peaks: record.peaks, events: LogFrontier.empty() };
        return;
      }
      case 'event': {
        const open = progress.eventLog;
        if (open === null || !equalBytes(open.subject, record.subject) || open.events.size !== record.sequence) mismatch(`event ${record.sequence} of ${bytesToHex(record.subject)} out of place`);
        open.events.appendData(record.record);
        s.insertEvent.run(record.subject, record.sequence, record.record);
        return;
      }
    }
  }

  private flushEntries(): void {
    const open = this.progress.stakeSnapshot;
    if (open === null || this.pendingEntries.length === 0) return;
    const row = this.statements.snapshotEntries.get(open.height) as { entries: Uint8Array };
    this.statements.updateSnapshotEntries.run(Buffer.concat([row.entries, ...this.pendingEntries]), open.height);
    this.pendingEntries = [];
  }

  private closeStakeSnapshot(): void {
    const open = this.progress.stakeSnapshot;
    if (open === null) return;
    this.flushEntries();
    if (!equalBytes(open.entries.root(), open.root)) mismatch(`stake snapshot ${open.height}: its ${open.entries.size} entries do not make its root`);
    this.progress.stakeSnapshot = null;
  }

  private closeEventLog(): void {
    const open = this.progress.eventLog;
    if (open === null) return;
    const peaks = open.events.peakHashes;
    const same = open.events.size === open.count && peaks.length === open.peaks.length && peaks.every((peak, index) => equalBytes(peak, open.peaks[index]!));
    if (!same) mismatch(`event log ${bytesToHex(open.subject)}: ${open.events.size} events do not make the committed ${open.count}`);
    this.progress.eventLog = null;
  }

  private updateTree(tree: 'outpoint' | 'keyEvent', root: Uint8Array, updates: readonly SparseUpdate[]): Uint8Array {
    if (updates.length === 0) return root;
    const [select, insert, remove] = tree === 'outpoint' ? [this.statements.outpointNode, this.statements.insertOutpointNode, this.statements.deleteOutpointNode] : [this.statements.keyEventNode, this.statements.insertKeyEventNode, this.statements.deleteKeyEventNode];
    const reader: SparseNodeReader = {
      getNode(hash: Uint8Array): SparseNode | undefined {
        const row = select.get(hash) as { node: Uint8Array } | undefined;
        return row === undefined ? undefined : decodeSparseNode(new Uint8Array(row.node));
      },
    };
    const batch = applySparseUpdates(reader, root, updates);
    for (const { hash, node } of batch.created) insert.run(hash, encodeSparseNode(node));
    for (const hash of batch.stale) remove.run(hash);
    return batch.root;
  }
}

export function mismatch(message: string): never {
  throw new AgentError('SNAPSHOT_STATE_MISMATCH', `snapshot import: ${message}`);
}

function transactionHashOf(bytes: Uint8Array, logIndex: number): Uint8Array {
  try {
    return hashTransaction(decodeTransaction(bytes)).txHash;
  } catch (error) {
    if (error instanceof AgentError) mismatch(`transaction ${logIndex}: ${error.message}`);
    throw error;
  }
}

function prepare(db: Database.Database) {
  return {
    insertBlock: db.prepare('INSERT INTO blocks (height, hash, header) VALUES (?, ?, ?)'),
    insertTransaction: db.prepare('INSERT INTO transactions (hash, height, position, log_index, bytes) VALUES (?, ?, ?, ?, ?)'),
    insertOutput: db.prepare('INSERT INTO outputs (outpoint, amount, key, host, created_height, spent_height) VALUES (?, ?, ?, ?, ?, ?)'),
    insertName: db.prepare('INSERT INTO names (name, owner, registered_height, expires_height) VALUES (?, ?, ?, ?)'),
    insertAgent: db.prepare('INSERT INTO agents (key, name, endpoint, registered_height) VALUES (?, ?, ?, ?)'),
    insertStake: db.prepare('INSERT INTO stakes (host, stake) VALUES (?, ?)'),
    insertSnapshot: db.prepare('INSERT INTO stake_snapshots (height, root, entries) VALUES (?, ?, ?)'),
    snapshotEntries: db.prepare('SELECT entries FROM stake_snapshots WHERE height = ?'),
    updateSnapshotEntries: db.prepare('UPDATE stake_snapshots SET entries = ? WHERE height = ?'),
    insertEventLog: db.prepare('INSERT INTO event_logs (subject, count, peaks) VALUES (?, ?, ?)'),
    insertEvent: db.prepare('INSERT INTO events (subject, sequence, record) VALUES (?, ?, ?)'),
    outpointNode: db.prepare('SELECT node FROM outpoint_nodes WHERE hash = ?'),
    insertOutpointNode: db.prepare('INSERT OR IGNORE INTO outpoint_nodes (hash, node) VALUES (?, ?)'),
    deleteOutpointNode: db.prepare('DELETE FROM outpoint_nodes WHERE hash = ?'),
    keyEventNode: db.prepare('SELECT node FROM key_event_nodes WHERE hash = ?'),
    insertKeyEventNode: db.prepare('INSERT OR IGNORE INTO key_event_nodes (hash, node) VALUES (?, ?)'),
    deleteKeyEventNode: db.prepare('DELETE FROM key_event_nodes WHERE hash = ?'),
  };
}
