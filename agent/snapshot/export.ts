import type Database from 'better-sqlite3';
import { decodeHeader } from '../ledger/block-codec.ts';
import { bytes, type SqliteLedgerStore } from '../ledger/store-sqlite.ts';
import { decodeAmount, decodeEndpointRow, decodeHashes, decodeStakeEntries, decodeTip } from '../ledger/store-rows.ts';
import { ledgerHeaderBytes } from '../constants.ts';
import { buildSnapshot, type BuildOptions, type SnapshotExport } from './snapshot-build.ts';
import type { SnapshotRecord } from './types.ts';

/**
 * Snapshot export from a SQLite ledger file: the I/O edge, so not exported from agent/index.ts.
 * Every table is read in key order, a page at a time (keyset pagination: no statement stays open
 * while another runs, and memory holds one page), inside one read transaction, so the snapshot is
 * of one block even if the agent commits meanwhile from another connection.
 */

type Row = Record<string, unknown>;

/** Rows per page: big enough that paging costs nothing next to encoding. */
const pageRows = 1024;

export function exportSnapshot(store: SqliteLedgerStore, options: BuildOptions = {}): SnapshotExport {
  const db = store.database;
  return db.transaction(() => buildSnapshot(sqliteRecords(store), options))();
}

/** The store's records in canonical order (the same as contents-records.ts gives for its contents). */
export function* sqliteRecords(store: SqliteLedgerStore): Generator<SnapshotRecord> {
  const db = store.database;
  // The tip as the file has it inside this transaction (the store's cached tip could be older
  // than a commit made through another connection).
  const tipRow = db.prepare("SELECT value FROM meta WHERE key = 'tip'").get() as Row | undefined;
  if (tipRow === undefined) return;
  const tip = decodeTip(bytes(tipRow.value), ledgerHeaderBytes);
  yield { kind: 'tip', header: tip.header, supply: tip.supply, feesBurned: tip.feesBurned, transactionLogPeaks: tip.transactionLogPeaks };
  for (const row of pages(db, 'SELECT height, header FROM blocks', 'height', -1)) yield { kind: 'header', header: decodeHeader(bytes(row.header)) };
  for (const row of pages(db, 'SELECT hash, height, position, log_index, bytes FROM transactions', 'log_index', -1)) {
    yield { kind: 'transaction', txHash: bytes(row.hash), height: row.height as number, position: row.position as number, logIndex: row.log_index as number, bytes: bytes(row.bytes) };
  }
  for (const row of pages(db, 'SELECT outpoint, amount, key, host, created_height, spent_height FROM outputs', 'outpoint', new Uint8Array(0))) {
    yield {
      kind: 'output',
      outpoint: bytes(row.outpoint),
      amount: decodeAmount(bytes(row.amount)),
      key: bytes(row.key),
      host: bytes(row.host),
      createdHeight: row.created_height as number,
      spentHeight: (row.spent_height as number | null) ?? null,
    };
  }
  for (const row of pages(db, 'SELECT name, owner, registered_height, expires_height FROM names', 'name', '')) {
    yield { kind: 'name', name: String(row.name), owner: bytes(row.owner), registeredHeight: row.registered_height as number, expiresHeight: row.expires_height as number };
  }
  for (const row of pages(db, 'SELECT key, name, endpoint, registered_height FROM agents', 'key', new Uint8Array(0))) {
    yield { kind: 'agent', key: bytes(row.key), name: String(row.name), endpoint: decodeEndpointRow(bytes(row.endpoint)), registeredHeight: row.registered_height as number };
  }
  for (const row of pages(db, 'SELECT host, stake FROM stakes', 'host', new Uint8Array(0))) yield { kind: 'stake', host: bytes(row.host), stake: decodeAmount(bytes(row.stake)) };
  for (const row of pages(db, 'SELECT height, root, entries FROM stake_snapshots', 'height', -1)) {
    const height = row.height as number;
    yield { kind: 'stakeSnapshot', height, root: bytes(row.root) };
    for (const [index, entry] of decodeStakeEntries(bytes(row.entries)).entries()) yield { kind: 'stakeEntry', height, index, key: entry.key, stake: entry.stake };
  }
  const events = db.prepare('SELECT sequence, record FROM events WHERE subject = ? AND sequence > ? ORDER BY sequence LIMIT ?');
  for (const row of pages(db, 'SELECT subject, count, peaks FROM event_logs', 'subject', new Uint8Array(0))) {
    const subject = bytes(row.subject);
    yield { kind: 'eventLog', subject, count: row.count as number, peaks: decodeHashes(bytes(row.peaks)) };
    for (let after = -1; ; ) {
      const page = events.all(subject, after, pageRows) as Row[];
      for (const event of page) yield { kind: 'event', subject, sequence: event.sequence as number, record: bytes(event.record) };
      if (page.length < pageRows) break;
      after = page[page.length - 1]!.sequence as number;
    }
  }
}

/**
 * `select` (no WHERE) in pages ordered by `column`, which must be the table's key; `first` sorts
 * below every key (-1 for heights, '' for names, an empty BLOB for keys: SQLite orders a BLOB by
 * memcmp, which is the canonical bytewise order, and TEXT by BINARY, its UTF-8 bytes).
 */
function* pages(db: Database.Database, select: string, column: string, first: number | string | Uint8Array): Generator<Row> {
  const statement = db.prepare(`${select} WHERE ${column} > ? ORDER BY ${column} LIMIT ?`);
  for (let after = first; ; ) {
    const page = statement.all(after, pageRows) as Row[];
    yield* page;
    if (page.length < pageRows) return;
    after = page[page.length - 1]![column] as number | string | Uint8Array;
  }
}
