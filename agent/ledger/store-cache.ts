import { hashKey } from '../merkle/index.ts';
import type { Outpoint } from './tx-types.ts';

/**
 * Bounded in-memory maps in front of the SQLite tables (store-sqlite.ts). Map keeps insertion
 * order, so the oldest entries come first; beyond the cap the oldest tenth is dropped in one
 * pass. Dropping one entry per insert through `keys().next()` looked O(1) but is not in V8: a
 * fresh iterator walks over every deleted slot left at the front of the table until the next
 * rehash, and in a devnet-shaped run that scan cost more than the sparse-tree updates it served.
 */
export function remember<T>(cache: Map<string, T>, key: string, value: T, entriesMax: number): void {
  cache.delete(key); // a re-read entry moves to the newest end
  cache.set(key, value);
  if (cache.size <= entriesMax) return;
  let drop = Math.ceil(entriesMax / 10);
  for (const oldest of cache.keys()) {
    cache.delete(oldest);
    if (--drop <= 0) break;
  }
}

/** A cache key for an outpoint: the transaction hash as 32 latin1 characters, then the index. */
export function outputKey(outpoint: Outpoint): string {
  return `${hashKey(outpoint.txHash)}${outpoint.index}`;
}
