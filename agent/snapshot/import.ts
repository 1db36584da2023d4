import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { bytesToHex, equalBytes } from '../../names/index.ts';
import { snapshotAttestationBytes } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { stakeSnapshotHeight, type ChainParameters } from '../ledger/block-params.ts';
import { headerHash } from '../ledger/block-codec.ts';
import type { LedgerTip } from '../ledger/state-types.ts';
import { SqliteLogNodeStore } from '../ledger/store-log.ts';
import { decodeAmount, encodeTip } from '../ledger/store-rows.ts';
import { bytes, SqliteLedgerStore, type SqliteLedgerOptions } from '../ledger/store-sqlite.ts';
import { LogFrontier, MerkleLog, sparseEmptyHash } from '../merkle/index.ts';
import { claimId, decodeAttestation, encodeAttestation, type TrustedSnapshot } from './attestation.ts';
import { decodeImportProgress, encodeImportProgress, type ImportProgress } from './import-progress.ts';
import { ChunkWriter, mismatch } from './import-records.ts';
import type { Attestation, SnapshotChunk, SnapshotClaim, Verified } from './types.ts';

/**
 * Imports a verified snapshot into a fresh SQLite ledger file, one SQLite transaction per chunk,
 * in chunk order; each transaction also rewrites the progress record (import-progress.ts), so a
 * crash leaves whole chunks and the progress that matches them, and `open` resumes there. The
 * tip is written last, by `finish`, after the state is checked against the attested header:
 * until then SqliteLedgerStore sees a ledger before genesis, never a partial one.
 * This is the I/O edge: not exported from agent/index.ts.
 */

const progressKey = 'snapshot-import';
/** The attestations the import started from; kept after `finish` as the ledger's provenance. */
const attestationsKey = 'snapshot-attestations';

const ledgerTables = [
  'blocks',
  'transactions',
  'outputs',
  'names',
  'agents',
  'stakes',
  'stake_snapshots',
  'event_logs',
  'events',
  'outpoint_nodes',
  'key_event_nodes',
  'transaction_log_nodes',
] as const;

/** Where an interrupted import stands: the bootstrap machine re-verifies the attestations and resumes. */
export type ImportStatus = {
  readonly claim: SnapshotClaim;
  readonly attestations: readonly Attestation[];
  readonly chunksWritten: number;
};

export class SnapshotImporter {
  private constructor(
    private readonly store: SqliteLedgerStore,
    private readonly path: string,
    private readonly params: ChainParameters,
    private readonly options: SqliteLedgerOptions,
    private progress: ImportProgress | null,
    private attestations: readonly Attestation[],
  ) {}

  /**
   * Opens (or creates) the ledger file to import into. A file that already holds a ledger is
   * refused (SNAPSHOT_IMPORT_NOT_FRESH): its agent follows the chain from its own tip instead.
   */
  static open(path: string, params: ChainParameters, options: SqliteLedgerOptions = {}): SnapshotImporter {
    const store = SqliteLedgerStore.open(path, params, options);
    try {
      const tip = store.tip();
      if (tip !== null) throw new AgentError('SNAPSHOT_IMPORT_NOT_FRESH', `snapshot import: ${path} already holds a ledger at height ${tip.header.height}`);
      const progressRow = readMeta(store.database, progressKey);
      const attestationsRow = readMeta(store.database, attestationsKey);
      const progress = progressRow === undefined ? null : decodeImportProgress(progressRow);
      const attestations = attestationsRow === undefined ? [] : splitAttestations(attestationsRow);
      return new SnapshotImporter(store, path, params, options, progress, attestations);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** Null before `begin`; otherwise what a restarted bootstrap needs to resume. */
  get status(): ImportStatus | null {
    if (this.progress === null) return null;
    return { claim: this.progress.claim, attestations: this.attestations, chunksWritten: this.progress.chunksWritten };
  }

  /**
   * Starts importing `trusted`, or continues an import of the same claim. Another snapshot's
   * import in progress, or a file with rows in it, is SNAPSHOT_IMPORT_NOT_FRESH.
   */
  begin(trusted: TrustedSnapshot): void {
    const { claim } = trusted;
    if (this.progress !== null) {
      if (claimId(this.progress.claim) === claimId(claim)) return;
      throw new AgentError('SNAPSHOT_IMPORT_NOT_FRESH', `snapshot import: ${this.path} is importing the snapshot at height ${this.progress.claim.height}, not this one at ${claim.height}`);
    }
    const db = this.store.database;
    for (const table of ledgerTables) {
      if (db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined) throw new AgentError('SNAPSHOT_IMPORT_NOT_FRESH', `snapshot import: table ${table} of ${this.path} is not empty`);
    }
    const progress: ImportProgress = {
      claim,
      chunksWritten: 0,
      lastKey: null,
      tip: null,
      headerCount: 0,
      lastHeaderHash: new Uint8Array(32),
      transactionLog: LogFrontier.empty(),
      outpointRoot: sparseEmptyHash.slice(),
      keyEventRoot: sparseEmptyHash.slice(),
      stakeSnapshot: null,
      eventLog: null,
    };
    const upsert = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      upsert.run(attestationsKey, Buffer.concat(trusted.attestations.map(encodeAttestation)));
      upsert.run(progressKey, encodeImportProgress(progress));
    }).immediate();
    this.progress = progress;
    this.attestations = trusted.attestations;
  }

  /** Writes the next chunk (index = chunks written so far) and the progress after it, atomically. */
  writeChunk(chunk: Verified<SnapshotChunk>): void {
    const current = this.progress;
    assert.ok(current !== null, 'snapshot import: writeChunk before begin');
    assert.equal(chunk.index, current.chunksWritten, 'snapshot import: chunks are written in order');
    // Work on a copy: a chunk that fails leaves the progress as the file has it.
    const progress = decodeImportProgress(encodeImportProgress(current));
    const db = this.store.database;
    runChecked(() =>
      db
        .transaction(() => {
          const writer = new ChunkWriter(db, this.store.parametersHash, progress);
          writer.write(chunk.records);
          if (progress.chunksWritten === progress.claim.chunkCount) writer.closeAll();
          db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(encodeImportProgress(progress), progressKey);
        })
        .immediate(),
    );
    this.progress = progress;
  }

  /**
   * Checks the imported state against the attested header (block hash, every root, the stake
   * snapshot it weighs with, supply and stakes against the unspent outputs), writes the tip,
   * and returns the ledger opened as an ordinary store, ready to apply block height + 1.
   * The importer is closed either way.
   */
  finish(): SqliteLedgerStore {
    const progress = this.progress;
    assert.ok(progress !== null, 'snapshot import: finish before begin');
    const db = this.store.database;
    try {
      if (progress.chunksWritten !== progress.claim.chunkCount) mismatch(`${progress.chunksWritten} of ${progress.claim.chunkCount} chunks written`);
      runChecked(() =>
        db
          .transaction(() => {
            const tip = checkState(db, this.params, progress);
            db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('tip', encodeTip(tip));
            db.prepare('DELETE FROM meta WHERE key = ?').run(progressKey);
          })
          .immediate(),
      );
    } finally {
      this.store.close();
    }
    return SqliteLedgerStore.open(this.path, this.params, this.options);
  }

  close(): void {
    this.store.close();
  }
}

/** Everything the header commits, recomputed from the rows; returns the tip to write. */
function checkState(db: Database.Database, params: ChainParameters, progress: ImportProgress): LedgerTip {
  const { claim, tip } = progress;
  if (tip === null) return mismatch('no tip record');
  const { header } = tip;
  if (progress.headerCount !== claim.height + 1 || !equalBytes(progress.lastHeaderHash, claim.blockHash)) mismatch(`the header chain ends at ${progress.headerCount - 1}, not at the attested block`);
  const log = progress.transactionLog;
  if (log.size !== header.transactionCount || !equalBytes(log.root(), header.transactionLogRoot)) mismatch('the transactions do not make the header\'s transaction log');
  const peaks = log.peakHashes;
  if (peaks.length !== tip.transactionLogPeaks.length || !peaks.every((peak, index) => equalBytes(peak, tip.transactionLogPeaks[index]!))) mismatch('the tip\'s transaction log peaks are not the log\'s');
  const stored = new MerkleLog(new SqliteLogNodeStore(db, log.size));
  if (log.size > 0 && !equalBytes(stored.root(), header.transactionLogRoot)) mismatch('the transaction log node table does not make the header\'s root');
  if (!equalBytes(progress.outpointRoot, header.outpointRoot)) mismatch('the outputs do not make the header\'s outpoint root');
  if (!equalBytes(progress.keyEventRoot, header.keyEventRoot)) mismatch('the event logs do not make the header\'s key-event root');
  const weighing = stakeSnapshotHeight(params, header.height);
  const snapshot = db.prepare('SELECT root FROM stake_snapshots WHERE height = ?').get(weighing) as { root: Uint8Array } | undefined;
  if (snapshot === undefined || !equalBytes(bytes(snapshot.root), header.stakeSnapshotRoot)) mismatch(`stake snapshot ${weighing} is not the one the header commits`);
  checkSupply(db, tip.supply, tip.feesBurned);
  return { header, headerHash: headerHash(header), transactionLogPeaks: tip.transactionLogPeaks, supply: tip.supply, feesBurned: tip.feesBurned };
}

/**
 * Supply and stakes are sums over the unspent outputs (which the outpoint root commits):
 * supply = Σ unspent, supply + feesBurned = Σ genesis outputs (genesis only mints), and each
 * host's stake = Σ of its unspent outputs.
 */
function checkSupply(db: Database.Database, supply: bigint, feesBurned: bigint): void {
  let unspent = 0n;
  let minted = 0n;
  const byHost = new Map<string, bigint>();
  for (const row of db.prepare('SELECT amount, host, created_height, spent_height FROM outputs').iterate() as Iterable<Record<string, unknown>>) {
    const amount = decodeAmount(bytes(row.amount));
    if (row.created_height === 0) minted += amount;
    if (row.spent_height !== null) continue;
    unspent += amount;
    const host = bytesToHex(bytes(row.host));
    byHost.set(host, (byHost.get(host) ?? 0n) + amount);
  }
  if (unspent !== supply) mismatch(`the unspent outputs hold ${unspent}, the tip says supply ${supply}`);
  if (minted !== supply + feesBurned) mismatch(`genesis minted ${minted}, but supply + fees burned is ${supply + feesBurned}`);
  for (const row of db.prepare('SELECT host, stake FROM stakes').all() as Record<string, unknown>[]) {
    const host = bytesToHex(bytes(row.host));
    const expected = byHost.get(host) ?? 0n;
    if (decodeAmount(bytes(row.stake)) !== expected) mismatch(`host ${host} has stake ${decodeAmount(bytes(row.stake))}, its unspent outputs hold ${expected}`);
    byHost.delete(host);
  }
  const [missing] = byHost.keys();
  if (missing !== undefined) mismatch(`host ${missing} hosts unspent outputs but has no stake row`);
}

/** A SQLite constraint failure inside an import means duplicate rows in the snapshot. */
function runChecked(write: () => void): void {
  try {
    write();
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT')) mismatch(`duplicate rows: ${error.message}`);
    throw error;
  }
}

function readMeta(db: Database.Database, key: string): Uint8Array | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: Uint8Array } | undefined;
  return row === undefined ? undefined : bytes(row.value);
}

function splitAttestations(all: Uint8Array): Attestation[] {
  if (all.length % snapshotAttestationBytes !== 0) throw new AgentError('LEDGER_STORE_CORRUPT', `ledger file: ${all.length} bytes of snapshot attestations`);
  const out: Attestation[] = [];
  for (let offset = 0; offset < all.length; offset += snapshotAttestationBytes) out.push(decodeAttestation(all.subarray(offset, offset + snapshotAttestationBytes)));
  return out;
}
