import type Database from 'better-sqlite3';
import { AgentError } from '../errors.ts';

/**
 * The SQLite schema of one agent's ledger file, versioned by `PRAGMA user_version`. A file is
 * migrated forward one version at a time, each step in its own transaction; a file from a newer
 * version of this code is refused (LEDGER_STORE_SCHEMA_TOO_NEW) rather than misread.
 * test/ledger/fixtures/ledger-v1.sqlite is a frozen file of version 1 that must keep opening.
 *
 * u64 amounts are 8-byte big-endian BLOBs (SQLite integers are signed 64-bit); keys and hashes
 * are BLOBs; heights are INTEGERs (they are below 2^53).
 */
export const ledgerSchemaVersion = 1;

const schemaV1 = `
  -- 'parameters': encodeChainParameters; 'tip': store-rows.ts encodeTip (absent before genesis)
  CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
  CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, header BLOB NOT NULL);
  CREATE TABLE transactions (
    hash BLOB PRIMARY KEY, height INTEGER NOT NULL, position INTEGER NOT NULL,
    log_index INTEGER NOT NULL UNIQUE, bytes BLOB NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX transactions_by_block ON transactions (height, position);
  -- outpoint = tx hash ‖ u16 index (34 bytes); spent_height NULL while unspent
  CREATE TABLE outputs (
    outpoint BLOB PRIMARY KEY, amount BLOB NOT NULL, key BLOB NOT NULL, host BLOB NOT NULL,
    created_height INTEGER NOT NULL, spent_height INTEGER
  ) WITHOUT ROWID;
  CREATE TABLE names (name TEXT PRIMARY KEY, owner BLOB NOT NULL, registered_height INTEGER NOT NULL, expires_height INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE agents (key BLOB PRIMARY KEY, name TEXT NOT NULL, endpoint BLOB NOT NULL, registered_height INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE stakes (host BLOB PRIMARY KEY, stake BLOB NOT NULL) WITHOUT ROWID;
  -- entries: (key ‖ u64 stake) × n in key order
  CREATE TABLE stake_snapshots (height INTEGER PRIMARY KEY, root BLOB NOT NULL, entries BLOB NOT NULL);
  CREATE TABLE event_logs (subject BLOB PRIMARY KEY, count INTEGER NOT NULL, peaks BLOB NOT NULL) WITHOUT ROWID;
  CREATE TABLE events (subject BLOB NOT NULL, sequence INTEGER NOT NULL, record BLOB NOT NULL, PRIMARY KEY (subject, sequence)) WITHOUT ROWID;
  -- sparse Merkle tree nodes by hash (merkle encodeSparseNode), one table per tree
  CREATE TABLE outpoint_nodes (hash BLOB PRIMARY KEY, node BLOB NOT NULL) WITHOUT ROWID;
  CREATE TABLE key_event_nodes (hash BLOB PRIMARY KEY, node BLOB NOT NULL) WITHOUT ROWID;
  -- complete subtrees of the transaction log (merkle LogNodeStore): proofs read, never recompute
  CREATE TABLE transaction_log_nodes (level INTEGER NOT NULL, position INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, position)) WITHOUT ROWID;
`;

/**
 * WAL pages between automatic checkpoints (SQLite's default is 1,000). A devnet block of 250
 * payments wrote ~1,300 pages to the WAL, mostly the same sparse-tree pages every block (node keys
 * are hashes, so a block touches nearly every page of the node tables): with the default a
 * checkpoint copied them back into the file after every block; at 10,000 (a WAL of up to ~40 MB)
 * one checkpoint copies each page once for about seven blocks. Durability is the WAL's, synced at
 * every commit (FULL); only the copy back is rarer. docs/DECISIONS.md "Ledger".
 */
export const walCheckpointPages = 10_000;

/** migrations[v] turns a file of version v into version v + 1. */
const migrations: readonly ((db: Database.Database) => void)[] = [(db) => db.exec(schemaV1)];

/**
 * Brings the file to ledgerSchemaVersion. WAL lets readers run beside the writer, and a commit
 * is one append to the log; synchronous=FULL syncs the log on every commit, so a block that
 * store.commit returned from survives power loss too (docs/DECISIONS.md "Ledger").
 */
export function openSchema(db: Database.Database, synchronous: 'FULL' | 'NORMAL'): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`wal_autocheckpoint = ${walCheckpointPages}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > ledgerSchemaVersion) {
    throw new AgentError('LEDGER_STORE_SCHEMA_TOO_NEW', `ledger file has schema version ${version}; this code knows up to ${ledgerSchemaVersion}`);
  }
  for (let from = version; from < ledgerSchemaVersion; from++) {
    const step = migrations[from];
    if (step === undefined) throw new Error(`ledger schema: no migration from version ${from}`);
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${from + 1}`);
    }).immediate();
  }
}
