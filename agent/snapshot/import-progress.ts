import { ledgerHashBytes, logProofHashesMax, snapshotFormatVersion } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { ByteReader, ByteWriter } from '../ledger/tx-bytes.ts';
import { LogFrontier } from '../merkle/index.ts';
import { encodeAttestationMessage } from './attestation.ts';
import { encodeRecord, readRecord } from './record-codec.ts';
import type { SnapshotClaim, SnapshotRecord } from './types.ts';

/**
 * How far an import got, stored in the ledger file's meta table next to the rows it describes,
 * and rewritten in the same transaction as each chunk: after a crash the file holds some number
 * of whole chunks and exactly the progress after them. It carries what the checks between
 * consecutive records need (the previous header's hash, the transaction log's frontier, the
 * sparse roots so far, the stake snapshot and event log still open), so resuming needs nothing
 * but this record and the next chunk.
 */
export type ImportProgress = {
  readonly claim: SnapshotClaim;
  chunksWritten: number;
  /** Sort key of the last record written (records.ts): the next must sort after it. */
  lastKey: Uint8Array | null;
  tip: Extract<SnapshotRecord, { kind: 'tip' }> | null;
  /** Headers written (= the next height expected) and the hash of the last. */
  headerCount: number;
  lastHeaderHash: Uint8Array;
  transactionLog: LogFrontier;
  outpointRoot: Uint8Array;
  keyEventRoot: Uint8Array;
  /** The stake snapshot whose entries are arriving, with the log of entries so far. */
  stakeSnapshot: { readonly height: number; readonly root: Uint8Array; readonly entries: LogFrontier } | null;
  /** The event log whose events are arriving: its committed count and peaks, and the events so far. */
  eventLog: { readonly subject: Uint8Array; readonly count: number; readonly peaks: readonly Uint8Array[]; readonly events: LogFrontier } | null;
};

export function encodeImportProgress(progress: ImportProgress): Uint8Array {
  const writer = new ByteWriter().u8(snapshotFormatVersion).bytes(encodeAttestationMessage(progress.claim)).u32(progress.chunksWritten);
  const lastKey = progress.lastKey ?? new Uint8Array(0);
  writer.u16(lastKey.length).bytes(lastKey);
  const tip = progress.tip === null ? new Uint8Array(0) : encodeRecord(progress.tip);
  writer.u16(tip.length).bytes(tip);
  writer.u64(BigInt(progress.headerCount)).bytes(progress.lastHeaderHash);
  writeFrontier(writer, progress.transactionLog).bytes(progress.outpointRoot).bytes(progress.keyEventRoot);
  const snapshot = progress.stakeSnapshot;
  writer.u8(snapshot === null ? 0 : 1);
  if (snapshot !== null) writeFrontier(writer.u64(BigInt(snapshot.height)).bytes(snapshot.root), snapshot.entries);
  const log = progress.eventLog;
  writer.u8(log === null ? 0 : 1);
  if (log !== null) {
    writer.bytes(log.subject).u64(BigInt(log.count)).u8(log.peaks.length);
    for (const peak of log.peaks) writer.bytes(peak);
    writeFrontier(writer, log.events);
  }
  return writer.finish();
}

/** Decodes what encodeImportProgress wrote; a damaged record is LEDGER_STORE_CORRUPT. */
export function decodeImportProgress(bytes: Uint8Array): ImportProgress {
  try {
    const reader = new ByteReader(bytes, 'snapshot import progress');
    const version = reader.u8('version');
    if (version !== snapshotFormatVersion) reader.fail('LEDGER_UNKNOWN_VERSION', `version ${version}`);
    reader.u8('claim version');
    const claim: SnapshotClaim = {
      chainId: hash(reader, 'chainId'),
      height: reader.u64Number('height'),
      blockHash: hash(reader, 'blockHash'),
      stateRoot: hash(reader, 'stateRoot'),
      chunkCount: reader.u32('chunkCount'),
    };
    const chunksWritten = reader.u32('chunks written');
    const lastKey = reader.bytes(reader.u16('last key length'), 'last key');
    const tipBytes = reader.bytes(reader.u16('tip length'), 'tip');
    const tip = tipBytes.length === 0 ? null : readTip(tipBytes);
    const progress: ImportProgress = {
      claim,
      chunksWritten,
      lastKey: lastKey.length === 0 ? null : lastKey,
      tip,
      headerCount: reader.u64Number('header count'),
      lastHeaderHash: hash(reader, 'last header hash'),
      transactionLog: readFrontier(reader, 'transaction log'),
      outpointRoot: hash(reader, 'outpoint root'),
      keyEventRoot: hash(reader, 'key event root'),
      stakeSnapshot: reader.flag('stake snapshot open') ? { height: reader.u64Number('snapshot height'), root: hash(reader, 'snapshot root'), entries: readFrontier(reader, 'entries') } : null,
      eventLog: null,
    };
    if (reader.flag('event log open')) {
      const subject = hash(reader, 'subject');
      const count = reader.u64Number('event count');
      const peaks = Array.from({ length: reader.count8(logProofHashesMax, 'peak count') }, (_, index) => hash(reader, `peak ${index}`));
      progress.eventLog = { subject, count, peaks, events: readFrontier(reader, 'events') };
    }
    reader.end();
    return progress;
  } catch (error) {
    if (error instanceof AgentError) throw new AgentError('LEDGER_STORE_CORRUPT', `ledger file: ${error.message}`);
    throw error;
  }
}

function readTip(bytes: Uint8Array): Extract<SnapshotRecord, { kind: 'tip' }> {
  const reader = new ByteReader(bytes, 'tip record');
  const record = readRecord(reader);
  reader.end();
  return record.kind === 'tip' ? record : reader.fail('LEDGER_NON_CANONICAL', `a ${record.kind} record where the tip belongs`);
}

function hash(reader: ByteReader, field: string): Uint8Array {
  return reader.bytes(ledgerHashBytes, field);
}

function writeFrontier(writer: ByteWriter, frontier: LogFrontier): ByteWriter {
  const peaks = frontier.peakHashes;
  writer.u64(BigInt(frontier.size)).u8(peaks.length);
  for (const peak of peaks) writer.bytes(peak);
  return writer;
}

function readFrontier(reader: ByteReader, field: string): LogFrontier {
  const size = reader.u64Number(`${field} size`);
  const peaks = Array.from({ length: reader.count8(logProofHashesMax, `${field} peak count`) }, (_, index) => hash(reader, `${field} peak ${index}`));
  return LogFrontier.fromPeaks(size, peaks);
}
