import Database from 'better-sqlite3';
import { bytesToHex, hexToBytes } from '../../names/index.ts';
import { AgentError } from '../errors.ts';

/**
 * Wallet accounts of one agent: wallet name → the identity key that first logged in with it
 * (first come). Two stores pass one compliance suite (test/daemon/accounts.test.ts): the
 * in-memory one for tests and the SQLite one the daemon uses. Names arrive validated (login.ts).
 */
export interface AccountRecord {
  readonly name: string;
  readonly walletKeyHex: string;
  readonly createdMs: number;
}

export interface AccountStore {
  get(name: string): AccountRecord | undefined;
  /** Binds `name` to the key; false when the name is bound already (the caller re-reads it). */
  create(record: AccountRecord): boolean;
  count(): number;
  close(): void;
}

export class MemoryAccountStore implements AccountStore {
  readonly #accounts = new Map<string, AccountRecord>();

  get(name: string): AccountRecord | undefined {
    return this.#accounts.get(name);
  }

  create(record: AccountRecord): boolean {
    if (this.#accounts.has(record.name)) return false;
    this.#accounts.set(record.name, { ...record });
    return true;
  }

  count(): number {
    return this.#accounts.size;
  }

  close(): void {}
}

/**
 * The accounts table lives in the agent's one SQLite file beside the ledger's tables, so it
 * keeps its own schema version in `account_schema` rather than `PRAGMA user_version`, which the
 * ledger store owns (agent/ledger/store-schema.ts).
 */
export const accountSchemaVersion = 1;

const schemaV1 = `
  CREATE TABLE accounts (name TEXT PRIMARY KEY, wallet_key BLOB NOT NULL, created_ms INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX accounts_by_key ON accounts (wallet_key);
`;

export class SqliteAccountStore implements AccountStore {
  readonly #db: Database.Database;
  readonly #select: Database.Statement<[string], { name: string; wallet_key: Buffer; created_ms: number }>;
  readonly #insert: Database.Statement<[string, Buffer, number]>;
  /** Counted once at open and kept: count(*) walks the table. */
  #count: number;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#select = db.prepare('SELECT name, wallet_key, created_ms FROM accounts WHERE name = ?');
    this.#insert = db.prepare('INSERT OR IGNORE INTO accounts (name, wallet_key, created_ms) VALUES (?, ?, ?)');
    this.#count = (db.prepare('SELECT count(*) AS count FROM accounts').get() as { count: number }).count;
  }

  /** Opens (creating) the file; WAL with synchronous=FULL, so a binding answered `ok` survives a crash. */
  static open(path: string): SqliteAccountStore {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteAccountStore(db);
  }

  get(name: string): AccountRecord | undefined {
    const row = this.#select.get(name);
    return row === undefined ? undefined : { name: row.name, walletKeyHex: bytesToHex(row.wallet_key), createdMs: row.created_ms };
  }

  create(record: AccountRecord): boolean {
    const created = this.#insert.run(record.name, Buffer.from(hexToBytes(record.walletKeyHex)), Math.floor(record.createdMs)).changes === 1;
    if (created) this.#count += 1;
    return created;
  }

  count(): number {
    return this.#count;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS account_schema (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM account_schema').get() as { version: number } | undefined;
  const version = row?.version ?? 0;
  if (version > accountSchemaVersion) {
    throw new AgentError('ACCOUNT_STORE_SCHEMA_TOO_NEW', `accounts table has schema version ${version}; this code knows up to ${accountSchemaVersion}`);
  }
  if (version === accountSchemaVersion) return;
  db.transaction(() => {
    db.exec(schemaV1);
    db.exec('DELETE FROM account_schema');
    db.prepare('INSERT INTO account_schema (version) VALUES (?)').run(accountSchemaVersion);
  }).immediate();
}
