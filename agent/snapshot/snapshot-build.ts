import assert from 'node:assert/strict';
import { encodeLogInclusionProof, MerkleLog } from '../merkle/index.ts';
import { AgentError } from '../errors.ts';
import { headerHash } from '../ledger/block-codec.ts';
import { ChunkPacker } from './chunk-codec.ts';
import type { SnapshotClaim, SnapshotRecord } from './types.ts';

/**
 * A snapshot as an exporter holds it: the claim an authority would sign, every chunk, and the
 * inclusion proof of each chunk against the state root. Pure: the records come from the SQLite
 * store (export.ts) or from in-memory contents (contents-records.ts), and both must agree.
 */
export type SnapshotExport = {
  readonly claim: SnapshotClaim;
  readonly chunks: readonly Uint8Array[];
  /** RFC 9162 inclusion proof of chunk `index`, encoded as merkle's log-codec writes it. */
  proveChunk(index: number): Uint8Array;
};

export type BuildOptions = {
  /** Tests only: any size but snapshotChunkBytesMax cuts other chunks, so another state root. */
  readonly chunkBytesMax?: number;
};

/**
 * Packs records (tip first, then canonical order) into chunks; the state root is the RFC 9162
 * root over the chunks (leaf data = the chunk's bytes), the chain id the header's parameters hash.
 */
export function buildSnapshot(records: Iterable<SnapshotRecord>, options: BuildOptions = {}): SnapshotExport {
  const packer = new ChunkPacker(options.chunkBytesMax);
  let tip: Extract<SnapshotRecord, { kind: 'tip' }> | null = null;
  for (const record of records) {
    if (record.kind === 'tip') tip = record;
    else assert.ok(tip !== null, 'snapshot export: the tip record comes first');
    packer.add(record);
  }
  if (tip === null) throw new AgentError('SNAPSHOT_EMPTY_LEDGER', 'snapshot export: the ledger has no block yet');
  const chunks = packer.finish();
  const log = new MerkleLog();
  for (const chunk of chunks) log.appendData(chunk);
  const claim: SnapshotClaim = {
    chainId: tip.header.parametersHash,
    height: tip.header.height,
    blockHash: headerHash(tip.header),
    stateRoot: log.root(),
    chunkCount: chunks.length,
  };
  return {
    claim,
    chunks,
    proveChunk(index) {
      return encodeLogInclusionProof({ leafIndex: index, treeSize: chunks.length, path: log.inclusionPath(index) });
    },
  };
}
