/**
 * Public API of agent/snapshot/: the pure parts — attestations and the trustnet rule, the record
 * and chunk codecs, chunk verification, building a snapshot from in-memory contents, and the
 * bootstrap state machine. export.ts and import.ts touch SQLite: the daemon imports them directly.
 */
export * from './types.ts';
export * from './attestation.ts';
export { recordKinds, encodeRecord, readRecord, recordSortKey, writeRecord } from './record-codec.ts';
export { ChunkPacker, decodeChunk } from './chunk-codec.ts';
export { verifyChunk } from './chunk-verify.ts';
export { buildSnapshot, type BuildOptions, type SnapshotExport } from './snapshot-build.ts';
export { recordsFromContents, snapshotFromMemory } from './contents-records.ts';
export { defaultBootstrapLimits, checkBootstrapLimits, type BootstrapLimits } from './bootstrap-limits.ts';
export * from './bootstrap.ts';
