import assert from 'node:assert/strict';
import { merkleHashBytes } from '../constants.ts';

/**
 * Where a log keeps the hashes of its complete subtrees. Level 0 holds the leaf hashes; node
 * `index` of `level` is MTH(D[index·2^level : (index+1)·2^level]). Append-only: a node, once
 * written, never changes, which is what lets proofs be read instead of recomputed.
 * The in-memory store is below; a SQLite store can implement the same three methods.
 */
export interface LogNodeStore {
  /** How many complete nodes `level` holds: ⌊size / 2^level⌋. */
  count(level: number): number;
  get(level: number, index: number): Uint8Array;
  append(level: number, hash: Uint8Array): void;
}

/** 32-byte hashes packed in one growing buffer: 32 bytes per hash instead of a typed-array object each. */
export class HashArray {
  private bytes = new Uint8Array(64 * merkleHashBytes);
  private length = 0;

  get count(): number {
    return this.length;
  }

  /** A view into the buffer; stable because entries are never overwritten. */
  get(index: number): Uint8Array {
    if (!(Number.isInteger(index) && index >= 0 && index < this.length)) assert.fail(`hash index ${index} of ${this.length}`);
    const offset = index * merkleHashBytes;
    return this.bytes.subarray(offset, offset + merkleHashBytes);
  }

  push(hash: Uint8Array): void {
    assert.equal(hash.length, merkleHashBytes);
    if ((this.length + 1) * merkleHashBytes > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.length * merkleHashBytes);
    this.length++;
  }
}

export class MemoryLogNodeStore implements LogNodeStore {
  private readonly levels: HashArray[] = [];

  count(level: number): number {
    return this.levels[level]?.count ?? 0;
  }

  get(level: number, index: number): Uint8Array {
    const hashes = this.levels[level];
    if (hashes === undefined) assert.fail(`log level ${level} is empty`);
    return hashes.get(index);
  }

  append(level: number, hash: Uint8Array): void {
    while (this.levels.length <= level) this.levels.push(new HashArray());
    const hashes = this.levels[level];
    assert.ok(hashes !== undefined);
    hashes.push(hash);
  }
}
