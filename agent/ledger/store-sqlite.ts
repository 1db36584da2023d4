import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { equalBytes } from '../../names/index.ts';
import { ledgerHeaderBytes } from '../constants.ts';
import {
  decodeSparseNode,
  encodeSparseNode,
  hashKey,
  MerkleLog,
  outpointKey,
  proveSparse,
  sparseEmptyHash,
  type LogInclusionProof,
  type SparseNode,
  type SparseNodeReader,
  type SparseProof,
} from '../merkle/index.ts';
import { applyBlock, type ApplyOptions, type ApplyResult } from './apply-block.ts';
import { chainParametersHash, decodeChainParameters, encodeChainParameters, type ChainParameters } from './block-params.ts';
import { decodeHeader, encodeHeader } from './block-codec.ts';
import type { Block, BlockHeader } from './block-types.ts';
import { outputKey, remember } from './store-cache.ts';
import { openSchema } from './store-schema.ts';
import { SqliteLogNodeStore } from './store-log.ts';
import {
  corrupt,
  decodeAmount,
  decodeEndpointRow,
  decodeHashes,
  decodeStakeEntries,
  decodeTip,
  encodeAmount,
  encodeEndpointRow,
  encodeHashes,
  encodeStakeEntries,
  encodeTip,
} from './store-rows.ts';
import type {
  AgentRecord,
  EventLogState,
  LedgerChanges,
  LedgerStore,
  LedgerTip,
  LedgerView,
  NameRecord,
  OutputRecord,
  SparseTreeName,
  StakeSnapshot,
  TransactionRecord,
} from './state-types.ts';
import { encodeOutpoint } from './tx-hash.ts';
import type { Outpoint } from './tx-types.ts';
import { AgentError } from '../errors.ts';

export type SqliteLedgerOptions = {
  /** FULL (default) syncs the WAL on every commit; see docs/DECISIONS.md "Ledger". */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Keep sparse-tree nodes of earlier roots, so old headers stay provable (the file grows). */
  readonly keepHistory?: boolean;
};

type Row = Record<string, unknown>;

/**
 * Sparse-tree nodes kept in memory per tree (store-cache.ts). Nodes are addressed by hash and
 * never change, so a cached node is always right. A commit adds the nodes it created and drops
 * the ones it made stale, so the cache holds the current tree: below the cap every read is a hit
 * (docs/DECISIONS.md "Ledger").
 */
const sparseNodeCacheEntriesMax = 100_000;
/** Agent and name records kept per kind (a devnet has a handful; a large chain keeps the recent ones). */
const recordCacheEntriesMax = 4_096;
/** Output records: a few blocks' worth of outputs made and read. */
const outputCacheEntriesMax = 65_536;

/**
 * The ledger in one SQLite file per agent (better-sqlite3, synchronous). It is a LedgerView,
 * so applyBlock reads it directly; `commit` writes a block's changes in one transaction, so a
 * crash at any point leaves the file at the last committed block. This is the I/O edge: it is
 * not exported from agent/index.ts.
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly parametersHash: Uint8Array;
  private currentTip: LedgerTip | null;
  private readonly statements: ReturnType<typeof prepare>;
  private readonly logNodes: SqliteLogNodeStore;
  private readonly keepHistory: boolean;
  private readonly nodeCaches = { outpoint: new Map<string, SparseNode>(), keyEvent: new Map<string, SparseNode>() };
  /**
   * Agents and names as read (absent ones too): apply reads both for every output's host
   * (isLiveAgent), they are few, and a block rarely changes one; a commit that does clears them.
   */
  private readonly agentCache = new Map<string, AgentRecord | undefined>();
  private readonly nameCache = new Map<string, NameRecord | undefined>();
  /**
   * Outputs as read or written: admission and apply both read every input, and an output is
   * usually spent soon after it is made. Each commit writes its changed outputs through, so an
   * entry is always the committed record.
   */
  private readonly outputCache = new Map<string, OutputRecord | undefined>();

  private constructor(
    private readonly db: Database.Database,
    readonly params: ChainParameters,
    options: SqliteLedgerOptions,
  ) {
    this.parametersHash = chainParametersHash(params);
    this.statements = prepare(db);
    this.keepHistory = options.keepHistory ?? false;
    const tipRow = this.statements.meta.get('tip') as { value: Uint8Array } | undefined;
    this.currentTip = tipRow === undefined ? null : decodeTip(bytes(tipRow.value), ledgerHeaderBytes);
    this.logNodes = new SqliteLogNodeStore(db, this.currentTip?.header.transactionCount ?? 0);
  }

  /**
   * Opens (or creates) the file for a chain with `params`. A file made for other parameters is
   * refused with LEDGER_STORE_PARAMETERS_MISMATCH.
   */
  static open(path: string, params: ChainParameters, options: SqliteLedgerOptions = {}): SqliteLedgerStore {
    const db = new Database(path);
    try {
      openSchema(db, options.synchronous ?? 'FULL');
      const stored = db.prepare('SELECT value FROM meta WHERE key = ?').get('parameters') as { value: Uint8Array } | undefined;
      const encoded = encodeChainParameters(params);
      if (stored === undefined) {
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('parameters', encoded);
      } else if (!equalBytes(bytes(stored.value), encoded)) {
        const theirs = decodeChainParameters(bytes(stored.value));
        throw new AgentError('LEDGER_STORE_PARAMETERS_MISMATCH', `ledger file is for chain ${JSON.stringify(theirs.chainId)} with other parameters`);
      }
      return new SqliteLedgerStore(db, params, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  /** applyBlock, then commit when it succeeds. */
  apply(block: Block, options: ApplyOptions = {}): ApplyResult {
    const result = applyBlock(this, block, options);
    if (result.ok) this.commit(result.changes);
    return result;
  }

  /**
   * Writes one block's changes atomically. They must have been computed against this tip.
   * `alongside` runs inside the same SQLite transaction (the chain service writes the block's
   * certificate and seeds with it, so a crash never leaves a tip without them).
   */
  commit(changes: LedgerChanges, alongside?: (db: Database.Database) => void): void {
    const { header } = changes.tip;
    assert.equal(header.height, this.currentTip === null ? 0 : this.currentTip.header.height + 1, 'ledger store: changes for another height');
    assert.ok(this.currentTip === null || equalBytes(header.previousHash, this.currentTip.headerHash), 'ledger store: changes for another tip');
    try {
      this.db
        .transaction(() => {
          this.write(changes);
          alongside?.(this.db);
        })
        .immediate();
    } catch (error) {
      this.logNodes.reset(this.currentTip?.header.transactionCount ?? 0);
      throw error;
    }
    this.logNodes.reset(header.transactionCount);
    this.currentTip = changes.tip;
    for (const record of changes.outputs) remember(this.outputCache, outputKey(record.outpoint), record, outputCacheEntriesMax);
    if (changes.agents.length > 0) this.agentCache.clear();
    if (changes.names.length > 0) this.nameCache.clear();
    for (const tree of ['outpoint', 'keyEvent'] as const) {
      const cache = this.nodeCaches[tree];
      for (const hash of changes.sparse[tree].stale) cache.delete(hashKey(hash));
      for (const { hash, node } of changes.sparse[tree].created) remember(cache, hashKey(hash), node, sparseNodeCacheEntriesMax);
    }
  }

  // ── LedgerView ──

  tip(): LedgerTip | null {
    return this.currentTip;
  }

  output(outpoint: Outpoint): OutputRecord | undefined {
    const key = outputKey(outpoint);
    if (this.outputCache.has(key)) return this.outputCache.get(key);
    const row = this.statements.output.get(encodeOutpoint(outpoint)) as Row | undefined;
    const found = row === undefined ? undefined : outputFromRow(outpoint, row);
    remember(this.outputCache, key, found, outputCacheEntriesMax);
    return found;
  }

  hasTransaction(txHash: Uint8Array): boolean {
    return this.statements.hasTransaction.get(txHash) !== undefined;
  }

  transaction(txHash: Uint8Array): TransactionRecord | undefined {
    const row = this.statements.transaction.get(txHash) as Row | undefined;
    if (row === undefined) return undefined;
    return { txHash: txHash.slice(), height: row.height as number, position: row.position as number, logIndex: row.log_index as number, bytes: bytes(row.bytes) };
  }

  name(name: string): NameRecord | undefined {
    if (this.nameCache.has(name)) return this.nameCache.get(name);
    const row = this.statements.name.get(name) as Row | undefined;
    const found = row === undefined ? undefined : nameFromRow(row);
    remember(this.nameCache, name, found, recordCacheEntriesMax);
    return found;
  }

  agent(key: Uint8Array): AgentRecord | undefined {
    const id = hashKey(key);
    if (this.agentCache.has(id)) return this.agentCache.get(id);
    const row = this.statements.agent.get(key) as Row | undefined;
    const found = row === undefined ? undefined : agentFromRow(row);
    remember(this.agentCache, id, found, recordCacheEntriesMax);
    return found;
  }

  agents(): AgentRecord[] {
    return (this.statements.agents.all() as Row[]).map(agentFromRow);
  }

  stake(host: Uint8Array): bigint {
    const row = this.statements.stake.get(host) as { stake: Uint8Array } | undefined;
    return row === undefined ? 0n : decodeAmount(bytes(row.stake));
  }

  stakeSnapshot(height: number): StakeSnapshot | undefined {
    const row = this.statements.snapshot.get(height) as Row | undefined;
    return row === undefined ? undefined : { height, root: bytes(row.root), entries: decodeStakeEntries(bytes(row.entries)) };
  }

  eventLog(subject: Uint8Array): EventLogState | undefined {
    const row = this.statements.eventLog.get(subject) as Row | undefined;
    return row === undefined ? undefined : { count: row.count as number, peaks: decodeHashes(bytes(row.peaks)) };
  }

  /** Every event record of a subject, in order (what an agent serves a wallet). */
  events(subject: Uint8Array): Uint8Array[] {
    return (this.statements.events.all(subject) as { record: Uint8Array }[]).map((row) => bytes(row.record));
  }

  header(height: number): BlockHeader | undefined {
    const row = this.statements.header.get(height) as { header: Uint8Array } | undefined;
    return row === undefined ? undefined : decodeHeader(bytes(row.header));
  }

  sparseNodes(tree: SparseTreeName): SparseNodeReader {
    const statement = tree === 'outpoint' ? this.statements.outpointNode : this.statements.keyEventNode;
    const cache = this.nodeCaches[tree];
    return {
      getNode(hash: Uint8Array): SparseNode | undefined {
        const key = hashKey(hash);
        const cached = cache.get(key);
        if (cached !== undefined) return cached;
        const row = statement.get(hash) as { node: Uint8Array } | undefined;
        if (row === undefined) return undefined;
        const node = decodeSparseNode(bytes(row.node));
        remember(cache, key, node, sparseNodeCacheEntriesMax);
        return node;
      },
    };
  }

  // ── proofs against the tip's header ──

  proveTransaction(txHash: Uint8Array): { record: TransactionRecord; proof: LogInclusionProof } | undefined {
    const record = this.transaction(txHash);
    const tip = this.currentTip;
    if (record === undefined || tip === null) return undefined;
    const treeSize = tip.header.transactionCount;
    return { record, proof: { leafIndex: record.logIndex, treeSize, path: new MerkleLog(this.logNodes).inclusionPath(record.logIndex, treeSize) } };
  }

  proveOutpoint(outpoint: Outpoint): { proof: SparseProof; value: Uint8Array | null } {
    const root = this.currentTip?.header.outpointRoot ?? sparseEmptyHash;
    return proveSparse(this.sparseNodes('outpoint'), root, outpointKey(outpoint.txHash, outpoint.index));
  }

  proveKeyEvents(subject: Uint8Array): { proof: SparseProof; value: Uint8Array | null; events: Uint8Array[] } {
    const root = this.currentTip?.header.keyEventRoot ?? sparseEmptyHash;
    return { ...proveSparse(this.sparseNodes('keyEvent'), root, subject), events: this.events(subject) };
  }

  /** Raw access for tests and tools (state-contents.ts reads every table). */
  get database(): Database.Database {
    return this.db;
  }

  private write(changes: LedgerChanges): void {
    const s = this.statements;
    const { header } = changes.tip;
    s.insertBlock.run(header.height, changes.tip.headerHash, encodeHeader(header));
    s.upsertMeta.run('tip', encodeTip(changes.tip));
    const log = new MerkleLog(this.logNodes);
    for (const record of changes.transactions) {
      s.insertTransaction.run(record.txHash, record.height, record.position, record.logIndex, record.bytes);
      assert.equal(log.appendData(record.txHash), record.logIndex, 'ledger store: transaction log out of step');
    }
    for (const record of changes.outputs) {
      const { output } = record;
      s.upsertOutput.run(encodeOutpoint(record.outpoint), encodeAmount(output.amount), output.key, output.host, record.createdHeight, record.spentHeight);
    }
    for (const record of changes.names) s.upsertName.run(record.name, record.owner, record.registeredHeight, record.expiresHeight);
    for (const record of changes.agents) s.upsertAgent.run(record.key, record.name, encodeEndpointRow(record.endpoint), record.registeredHeight);
    for (const entry of changes.stakes) s.upsertStake.run(entry.key, encodeAmount(entry.stake));
    for (const change of changes.eventLogs) {
      s.upsertEventLog.run(change.subject, change.log.count, encodeHashes(change.log.peaks));
      const first = change.log.count - change.appended.length;
      change.appended.forEach((record, index) => s.insertEvent.run(change.subject, first + index, record));
    }
    const snapshot = changes.stakeSnapshot;
    if (snapshot !== null) s.insertSnapshot.run(snapshot.height, snapshot.root, encodeStakeEntries(snapshot.entries));
    for (const [tree, insert, remove] of [
      ['outpoint', s.insertOutpointNode, s.deleteOutpointNode],
      ['keyEvent', s.insertKeyEventNode, s.deleteKeyEventNode],
    ] as const) {
      for (const { hash, node } of changes.sparse[tree].created) insert.run(hash, encodeSparseNode(node));
      if (!this.keepHistory) for (const hash of changes.sparse[tree].stale) remove.run(hash);
    }
  }
}

function prepare(db: Database.Database) {
  return {
    meta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    upsertMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    header: db.prepare('SELECT header FROM blocks WHERE height = ?'),
    insertBlock: db.prepare('INSERT INTO blocks (height, hash, header) VALUES (?, ?, ?)'),
    hasTransaction: db.prepare('SELECT 1 FROM transactions WHERE hash = ?'),
    transaction: db.prepare('SELECT height, position, log_index, bytes FROM transactions WHERE hash = ?'),
    insertTransaction: db.prepare('INSERT INTO transactions (hash, height, position, log_index, bytes) VALUES (?, ?, ?, ?, ?)'),
    output: db.prepare('SELECT amount, key, host, created_height, spent_height FROM outputs WHERE outpoint = ?'),
    upsertOutput: db.prepare('INSERT OR REPLACE INTO outputs (outpoint, amount, key, host, created_height, spent_height) VALUES (?, ?, ?, ?, ?, ?)'),
    name: db.prepare('SELECT name, owner, registered_height, expires_height FROM names WHERE name = ?'),
    upsertName: db.prepare('INSERT OR REPLACE INTO names (name, owner, registered_height, expires_height) VALUES (?, ?, ?, ?)'),
    agent: db.prepare('SELECT key, name, endpoint, registered_height FROM agents WHERE key = ?'),
    agents: db.prepare('SELECT key, name, endpoint, registered_height FROM agents'),
    upsertAgent: db.prepare('INSERT OR REPLACE INTO agents (key, name, endpoint, registered_height) VALUES (?, ?, ?, ?)'),
    stake: db.prepare('SELECT stake FROM stakes WHERE host = ?'),
    upsertStake: db.prepare('INSERT OR REPLACE INTO stakes (host, stake) VALUES (?, ?)'),
    snapshot: db.prepare('SELECT root, entries FROM stake_snapshots WHERE height = ?'),
    insertSnapshot: db.prepare('INSERT INTO stake_snapshots (height, root, entries) VALUES (?, ?, ?)'),
    eventLog: db.prepare('SELECT count, peaks FROM event_logs WHERE subject = ?'),
    upsertEventLog: db.prepare('INSERT OR REPLACE INTO event_logs (subject, count, peaks) VALUES (?, ?, ?)'),
    events: db.prepare('SELECT record FROM events WHERE subject = ? ORDER BY sequence'),
    insertEvent: db.prepare('INSERT INTO events (subject, sequence, record) VALUES (?, ?, ?)'),
    outpointNode: db.prepare('SELECT node FROM outpoint_nodes WHERE hash = ?'),
    insertOutpointNode: db.prepare('INSERT OR IGNORE INTO outpoint_nodes (hash, node) VALUES (?, ?)'),
    deleteOutpointNode: db.prepare('DELETE FROM outpoint_nodes WHERE hash = ?'),
    keyEventNode: db.prepare('SELECT node FROM key_event_nodes WHERE hash = ?'),
    insertKeyEventNode: db.prepare('INSERT OR IGNORE INTO key_event_nodes (hash, node) VALUES (?, ?)'),
    deleteKeyEventNode: db.prepare('DELETE FROM key_event_nodes WHERE hash = ?'),
  };
}

/** A plain Uint8Array copy of a BLOB (better-sqlite3 returns Buffers, which compare differently). */
export function bytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw corrupt(`expected a BLOB, got ${typeof value}`);
  return new Uint8Array(value);
}

function height(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw corrupt(`${field}: ${String(value)} is not a height`);
  return value;
}

function outputFromRow(outpoint: Outpoint, row: Row): OutputRecord {
  return {
    outpoint: { txHash: outpoint.txHash.slice(), index: outpoint.index },
    output: { amount: decodeAmount(bytes(row.amount)), key: bytes(row.key), host: bytes(row.host) },
    createdHeight: height(row.created_height, 'created_height'),
    spentHeight: row.spent_height === null ? null : height(row.spent_height, 'spent_height'),
  };
}

function nameFromRow(row: Row): NameRecord {
  return {
    name: String(row.name),
    owner: bytes(row.owner),
    registeredHeight: height(row.registered_height, 'registered_height'),
    expiresHeight: height(row.expires_height, 'expires_height'),
  };
}

function agentFromRow(row: Row): AgentRecord {
  return { key: bytes(row.key), name: String(row.name), endpoint: decodeEndpointRow(bytes(row.endpoint)), registeredHeight: height(row.registered_height, 'registered_height') };
}
