import assert from 'node:assert/strict';
import { snapshotChunkBytesMax, snapshotChunkHeaderBytes, snapshotFormatVersion } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { ByteReader, ByteWriter } from '../ledger/tx-bytes.ts';
import { encodeRecord, readRecord, recordSortKey } from './record-codec.ts';
import type { SnapshotChunk, SnapshotRecord } from './types.ts';

/**
 * Chunks (docs/PROTOCOL.md "Snapshots"): version u8 ‖ chunk index u32 ‖ records, at least one,
 * in strictly increasing canonical order, at most snapshotChunkBytesMax bytes in all. Records are
 * packed greedily: a record starts a new chunk only when it would not fit in the current one,
 * so the cut is a function of the records alone and every honest exporter cuts the same chunks.
 */

const compare = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);

/** Packs records, given in canonical order, into chunks of at most `chunkBytesMax` bytes. */
export class ChunkPacker {
  readonly chunks: Uint8Array[] = [];
  private current: Uint8Array[] = [];
  private currentBytes = snapshotChunkHeaderBytes;
  private lastKey: Uint8Array | null = null;

  /** `chunkBytesMax` other than the protocol's is for tests: it yields another state root. */
  constructor(private readonly chunkBytesMax: number = snapshotChunkBytesMax) {
    assert.ok(Number.isInteger(chunkBytesMax) && chunkBytesMax > snapshotChunkHeaderBytes && chunkBytesMax <= snapshotChunkBytesMax, `snapshot: chunk size ${chunkBytesMax}`);
  }

  add(record: SnapshotRecord): void {
    const key = recordSortKey(record);
    // The exporter reads tables in key order: a record out of order is a bug in the reader.
    assert.ok(this.lastKey === null || compare(this.lastKey, key) < 0, `snapshot export: ${record.kind} record out of canonical order`);
    this.lastKey = key;
    const bytes = encodeRecord(record);
    if (snapshotChunkHeaderBytes + bytes.length > this.chunkBytesMax) {
      throw new AgentError('SNAPSHOT_RECORD_TOO_LARGE', `snapshot: a ${record.kind} record of ${bytes.length} bytes does not fit a ${this.chunkBytesMax}-byte chunk`);
    }
    if (this.currentBytes + bytes.length > this.chunkBytesMax) this.seal();
    this.current.push(bytes);
    this.currentBytes += bytes.length;
  }

  /** Seals the last chunk and returns every chunk. */
  finish(): Uint8Array[] {
    if (this.current.length > 0) this.seal();
    return this.chunks;
  }

  private seal(): void {
    const writer = new ByteWriter().u8(snapshotFormatVersion).u32(this.chunks.length);
    for (const bytes of this.current) writer.bytes(bytes);
    this.chunks.push(writer.finish());
    this.current = [];
    this.currentBytes = snapshotChunkHeaderBytes;
  }
}

/**
 * Decodes a chunk exactly. Every failure is SNAPSHOT_BAD_CHUNK naming what was wrong; the order
 * of records across chunks is the importer's to check (it knows the previous chunk).
 */
export function decodeChunk(bytes: Uint8Array, expectedIndex: number): SnapshotChunk {
  const fail = (message: string): never => {
    throw new AgentError('SNAPSHOT_BAD_CHUNK', `snapshot chunk ${expectedIndex}: ${message}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected bytes');
  if (bytes.length > snapshotChunkBytesMax) fail(`${bytes.length} bytes, at most ${snapshotChunkBytesMax}`);
  const records: SnapshotRecord[] = [];
  try {
    const reader = new ByteReader(bytes, `snapshot chunk ${expectedIndex}`);
    const version = reader.u8('version');
    if (version !== snapshotFormatVersion) fail(`version ${version}, this code reads ${snapshotFormatVersion}`);
    const index = reader.u32('index');
    if (index !== expectedIndex) fail(`carries index ${index}`);
    let lastKey: Uint8Array | null = null;
    while (reader.remaining > 0) {
      const record = readRecord(reader);
      const key = recordSortKey(record);
      if (lastKey !== null && compare(lastKey, key) >= 0) fail(`record ${records.length} (${record.kind}) is out of canonical order`);
      lastKey = key;
      records.push(record);
    }
  } catch (error) {
    if (error instanceof AgentError && error.code !== 'SNAPSHOT_BAD_CHUNK') fail(error.message);
    throw error;
  }
  if (records.length === 0) fail('no records');
  return { index: expectedIndex, records };
}
