import type Database from 'better-sqlite3';
import { bytesToHex } from '../../names/index.ts';
import { Reader, Writer } from '../consensus/bytes.ts';
import { decodeCertificate, decodeGuardRecord, encodeCertificate, encodeGuardRecord, makePeerSet, type Certificate, type GuardRecord, type GuardStore, type PeerSet, type StandingState } from '../consensus/index.ts';
import { AgentError } from '../errors.ts';
import type { ChainParameters } from '../ledger/block-params.ts';
import { encodeHeader } from '../ledger/block-codec.ts';
import type { LedgerChanges } from '../ledger/state-types.ts';
import { bytes, SqliteLedgerStore, type SqliteLedgerOptions } from '../ledger/store-sqlite.ts';
import { joinChainBlock } from './block.ts';

/**
 * What the chain keeps beside the ledger, in the same SQLite file and written in the same
 * transaction as each block's ledger changes (SqliteLedgerStore.commit's `alongside`): per
 * height the chain block hash, the consensus section, the certificate we committed it with, the
 * beacon seeds and the peer set that voted; the standing after the tip; and the sign guard's
 * record. A crash therefore never leaves a ledger tip without its certificate and next seed.
 */

const chainSchema = `
  CREATE TABLE IF NOT EXISTS chain_blocks (
    height INTEGER PRIMARY KEY, hash BLOB NOT NULL, section BLOB NOT NULL,
    certificate BLOB, seed BLOB, next_seed BLOB NOT NULL, peer_set BLOB
  );
  CREATE TABLE IF NOT EXISTS chain_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
`;

export type ChainRow = {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly section: Uint8Array;
  /** Null at genesis. */
  readonly certificate: Certificate | null;
  readonly seed: Uint8Array | null;
  readonly nextSeed: Uint8Array;
  /** The peer set that voted at this height; null at genesis. */
  readonly peerSet: PeerSet | null;
};

export type BlockCommit = {
  readonly changes: LedgerChanges;
  readonly row: ChainRow;
  readonly standing: StandingState;
};

export class ChainStore {
  readonly ledger: SqliteLedgerStore;
  readonly chainId: Uint8Array;
  readonly #db: Database.Database;
  readonly #statements: ReturnType<typeof prepare>;

  private constructor(ledger: SqliteLedgerStore) {
    this.ledger = ledger;
    this.chainId = ledger.parametersHash;
    this.#db = ledger.database;
    this.#db.exec(chainSchema);
    this.#statements = prepare(this.#db);
    const tip = ledger.tip();
    const top = this.#statements.top.get() as { height: number } | undefined;
    const chainHeight = top?.height ?? null;
    if ((tip?.header.height ?? null) !== chainHeight) {
      ledger.close();
      throw new AgentError('CHAIN_STORE_MISMATCH', `ledger tip at ${tip?.header.height ?? 'none'} but chain rows end at ${chainHeight ?? 'none'}`);
    }
  }

  static open(path: string, params: ChainParameters, options: SqliteLedgerOptions = {}): ChainStore {
    return new ChainStore(SqliteLedgerStore.open(path, params, options));
  }

  close(): void {
    this.ledger.close();
  }

  /** Commits a block's ledger changes, its chain row and the standing after it, all or nothing. */
  commit({ changes, row, standing }: BlockCommit): void {
    this.ledger.commit(changes, () => {
      this.#statements.insertRow.run(
        row.height,
        row.hash,
        row.section,
        row.certificate === null ? null : encodeCertificate(row.certificate),
        row.seed,
        row.nextSeed,
        row.peerSet === null ? null : encodePeerSet(row.peerSet),
      );
      this.#statements.upsertMeta.run('standing', encodeStanding(standing));
    });
  }

  row(height: number): ChainRow | undefined {
    const found = this.#statements.row.get(height) as Record<string, unknown> | undefined;
    if (found === undefined) return undefined;
    return {
      height,
      hash: bytes(found.hash),
      section: bytes(found.section),
      certificate: found.certificate === null ? null : decodeCertificate(bytes(found.certificate)),
      seed: found.seed === null ? null : bytes(found.seed),
      nextSeed: bytes(found.next_seed),
      peerSet: found.peer_set === null ? null : decodePeerSet(this.chainId, bytes(found.peer_set)),
    };
  }

  standing(): StandingState | undefined {
    const found = this.#statements.meta.get('standing') as { value: Uint8Array } | undefined;
    return found === undefined ? undefined : decodeStanding(bytes(found.value));
  }

  /** The chain block as it was committed (ledger header and transactions from the ledger tables, section from ours). */
  blockBytes(height: number): Uint8Array | undefined {
    const header = this.ledger.header(height);
    const row = this.#statements.section.get(height) as { section: Uint8Array } | undefined;
    if (header === undefined || row === undefined) return undefined;
    const transactions = (this.#statements.transactions.all(height) as { bytes: Uint8Array }[]).map((found) => bytes(found.bytes));
    const writer = new Writer().bytes(encodeHeader(header)).u32(transactions.length);
    for (const transaction of transactions) writer.bytes(transaction);
    return joinChainBlock(writer.finish(), bytes(row.section));
  }

  /** Block hashes by height from `from` (the devnet test compares them across agents). */
  hashes(from: number, to: number): { height: number; hash: string }[] {
    return (this.#statements.hashes.all(from, to) as { height: number; hash: Uint8Array }[]).map((found) => ({ height: found.height, hash: bytesToHex(bytes(found.hash)) }));
  }

  /** The sign guard's record, in this file: written (and synced, synchronous=FULL) before a signature leaves. */
  guardStore(): GuardStore {
    const statements = this.#statements;
    return {
      read: (): GuardRecord | null => {
        const found = statements.meta.get('guard') as { value: Uint8Array } | undefined;
        return found === undefined ? null : decodeGuardRecord(bytes(found.value));
      },
      write: (record: GuardRecord): void => {
        statements.upsertMeta.run('guard', encodeGuardRecord(record));
      },
    };
  }
}

function prepare(db: Database.Database) {
  return {
    top: db.prepare('SELECT MAX(height) AS height FROM chain_blocks HAVING COUNT(*) > 0'),
    row: db.prepare('SELECT hash, section, certificate, seed, next_seed, peer_set FROM chain_blocks WHERE height = ?'),
    section: db.prepare('SELECT section FROM chain_blocks WHERE height = ?'),
    hashes: db.prepare('SELECT height, hash FROM chain_blocks WHERE height >= ? AND height <= ? ORDER BY height'),
    insertRow: db.prepare('INSERT INTO chain_blocks (height, hash, section, certificate, seed, next_seed, peer_set) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    meta: db.prepare('SELECT value FROM chain_meta WHERE key = ?'),
    upsertMeta: db.prepare('INSERT OR REPLACE INTO chain_meta (key, value) VALUES (?, ?)'),
    transactions: db.prepare('SELECT bytes FROM transactions WHERE height = ? ORDER BY position'),
  };
}

// ── row encodings ──

/** count u16 ‖ (key[32] ‖ weight u64)* in key order; the chain id is the store's. */
export function encodePeerSet(peerSet: PeerSet): Uint8Array {
  const writer = new Writer().u16(peerSet.peers.length);
  for (const peer of peerSet.peers) {
    const weight = new Uint8Array(8);
    new DataView(weight.buffer).setBigUint64(0, peer.weight);
    writer.bytes(peer.publicKey).bytes(weight);
  }
  return writer.finish();
}

export function decodePeerSet(chainId: Uint8Array, encoded: Uint8Array): PeerSet {
  const reader = new Reader(encoded, 'stored peer set');
  const count = reader.u16('count');
  const peers = Array.from({ length: count }, (_, index) => {
    const publicKey = reader.bytes(32, `peer ${index} key`);
    const weight = new DataView(reader.bytes(8, `peer ${index} weight`).buffer).getBigUint64(0);
    return { publicKey, weight };
  });
  reader.end();
  return makePeerSet(chainId, peers, { validateKeys: false });
}

/** JSON (small, read once at start): banned and jailed keys with heights, recent participation as bit strings. */
export function encodeStanding(standing: StandingState): Uint8Array {
  const json = {
    banned: [...standing.banned].sort(),
    jailedUntil: [...standing.jailedUntil].sort(),
    recent: [...standing.recent].map(([key, bits]) => [key, bits.map((bit) => (bit ? '1' : '0')).join('')]).sort(),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

export function decodeStanding(encoded: Uint8Array): StandingState {
  const json = JSON.parse(new TextDecoder().decode(encoded)) as { banned: [string, number][]; jailedUntil: [string, number][]; recent: [string, string][] };
  return {
    banned: new Map(json.banned),
    jailedUntil: new Map(json.jailedUntil),
    recent: new Map(json.recent.map(([key, bits]) => [key, [...bits].map((bit) => bit === '1')])),
  };
}
