import type Database from 'better-sqlite3';
import type { LogNodeStore } from '../merkle/index.ts';
import { corrupt } from './store-rows.ts';

/**
 * The transaction log's complete subtrees in SQLite (merkle LogNodeStore), so inclusion and
 * consistency proofs read stored nodes. At a committed size n, level ℓ holds ⌊n / 2^ℓ⌋ nodes
 * by definition, so no counts are stored; appends inside a commit are counted in memory, and
 * the store that owns the transaction resets them when a commit rolls back.
 */
export class SqliteLogNodeStore implements LogNodeStore {
  private readonly select: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly appendedCounts = new Map<number, number>();

  constructor(
    db: Database.Database,
    private committedSize: number,
  ) {
    this.select = db.prepare('SELECT hash FROM transaction_log_nodes WHERE level = ? AND position = ?');
    this.insert = db.prepare('INSERT INTO transaction_log_nodes (level, position, hash) VALUES (?, ?, ?)');
  }

  /** After a commit (the new size) or a rollback (the old one). */
  reset(committedSize: number): void {
    this.committedSize = committedSize;
    this.appendedCounts.clear();
  }

  count(level: number): number {
    return this.appendedCounts.get(level) ?? Math.floor(this.committedSize / 2 ** level);
  }

  get(level: number, index: number): Uint8Array {
    const row = this.select.get(level, index) as { hash: Uint8Array } | undefined;
    if (row === undefined) throw corrupt(`transaction log node (${level}, ${index}) is missing`);
    return new Uint8Array(row.hash);
  }

  append(level: number, hash: Uint8Array): void {
    const position = this.count(level);
    this.insert.run(level, position, hash);
    this.appendedCounts.set(level, position + 1);
  }
}
