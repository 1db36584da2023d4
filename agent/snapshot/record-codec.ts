import { ledgerHashBytes, ledgerHeaderBytes, ledgerKeyBytes, ledgerNameBytesMax, ledgerTransactionBytesMax, logProofHashesMax, snapshotEventBytesMax } from '../constants.ts';
import { decodeHeader, encodeHeader } from '../ledger/block-codec.ts';
import { ByteReader, ByteWriter } from '../ledger/tx-bytes.ts';
import { readEndpoint, writeEndpoint } from '../ledger/tx-codec.ts';
import type { SnapshotRecord, SnapshotRecordKind } from './types.ts';

/**
 * Canonical record encoding (docs/PROTOCOL.md "Snapshots", records): kind u8, then the fields of
 * the kind, fixed-width big-endian, every variable part length-prefixed. Decoding reads through
 * the ledger's ByteReader, so a malformed record is a typed LEDGER_* error that the chunk decoder
 * turns into SNAPSHOT_BAD_CHUNK.
 */

export const recordKinds = {
  tip: 1,
  header: 2,
  transaction: 3,
  output: 4,
  name: 5,
  agent: 6,
  stake: 7,
  stakeSnapshot: 8,
  stakeEntry: 9,
  eventLog: 10,
  event: 11,
} as const satisfies Record<SnapshotRecordKind, number>;

const kindByTag = new Map<number, SnapshotRecordKind>(Object.entries(recordKinds).map(([kind, tag]) => [tag, kind as SnapshotRecordKind]));

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function writeRecord(writer: ByteWriter, record: SnapshotRecord): ByteWriter {
  writer.u8(recordKinds[record.kind]);
  const height = (value: number): ByteWriter => writer.u64(BigInt(value));
  switch (record.kind) {
    case 'tip':
      writer.bytes(encodeHeader(record.header)).u64(record.supply).u64(record.feesBurned).u8(record.transactionLogPeaks.length);
      for (const peak of record.transactionLogPeaks) writer.bytes(peak);
      return writer;
    case 'header':
      return writer.bytes(encodeHeader(record.header));
    case 'transaction':
      writer.bytes(record.txHash);
      height(record.height).u16(record.position);
      return height(record.logIndex).u16(record.bytes.length).bytes(record.bytes);
    case 'output':
      writer.bytes(record.outpoint).u64(record.amount).bytes(record.key).bytes(record.host);
      height(record.createdHeight).u8(record.spentHeight === null ? 0 : 1);
      return height(record.spentHeight ?? 0);
    case 'name':
      writer.bytes8(utf8.encode(record.name)).bytes(record.owner);
      return height(record.registeredHeight).u64(BigInt(record.expiresHeight));
    case 'agent':
      writeEndpoint(writer.bytes(record.key).bytes8(utf8.encode(record.name)), record.endpoint);
      return height(record.registeredHeight);
    case 'stake':
      return writer.bytes(record.host).u64(record.stake);
    case 'stakeSnapshot':
      return height(record.height).bytes(record.root);
    case 'stakeEntry':
      return height(record.height).u32(record.index).bytes(record.key).u64(record.stake);
    case 'eventLog':
      writer.bytes(record.subject).u64(BigInt(record.count)).u8(record.peaks.length);
      for (const peak of record.peaks) writer.bytes(peak);
      return writer;
    case 'event':
      writer.bytes(record.subject);
      return height(record.sequence).u16(record.record.length).bytes(record.record);
  }
}

export function encodeRecord(record: SnapshotRecord): Uint8Array {
  return writeRecord(new ByteWriter(), record).finish();
}

export function readRecord(reader: ByteReader): SnapshotRecord {
  const tag = reader.u8('record kind');
  const kind = kindByTag.get(tag);
  if (kind === undefined) reader.fail('LEDGER_NON_CANONICAL', `record kind ${tag} is unknown`);
  const hash = (field: string): Uint8Array => reader.bytes(ledgerHashBytes, field);
  const key = (field: string): Uint8Array => reader.bytes(ledgerKeyBytes, field);
  const number = (field: string): number => reader.u64Number(field);
  const name = (field: string): string => {
    const bytes = reader.bytes8(ledgerNameBytesMax, field);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return reader.fail('LEDGER_NON_CANONICAL', `${field}: not UTF-8`);
    }
  };
  const peaks = (field: string): Uint8Array[] => {
    const count = reader.count8(logProofHashesMax, `${field} count`);
    return Array.from({ length: count }, (_, index) => hash(`${field} ${index}`));
  };
  const lengthBytes = (lengthMax: number, field: string): Uint8Array => {
    const length = reader.u16(`${field} length`);
    if (length > lengthMax) reader.fail('LEDGER_TOO_LARGE', `${field}: ${length} bytes, at most ${lengthMax}`);
    return reader.bytes(length, field);
  };
  switch (kind) {
    case 'tip': {
      const header = decodeHeader(reader.bytes(ledgerHeaderBytes, 'tip header'));
      return { kind, header, supply: reader.u64('supply'), feesBurned: reader.u64('feesBurned'), transactionLogPeaks: peaks('transaction log peak') };
    }
    case 'header':
      return { kind, header: decodeHeader(reader.bytes(ledgerHeaderBytes, 'header')) };
    case 'transaction':
      return { kind, txHash: hash('tx hash'), height: number('height'), position: reader.u16('position'), logIndex: number('log index'), bytes: lengthBytes(ledgerTransactionBytesMax, 'transaction') };
    case 'output': {
      const fields = { outpoint: reader.bytes(ledgerHashBytes + 2, 'outpoint'), amount: reader.u64('amount'), key: key('key'), host: key('host'), createdHeight: number('created height') };
      const spent = reader.flag('spent');
      const spentHeight = number('spent height');
      if (!spent && spentHeight !== 0) reader.fail('LEDGER_NON_CANONICAL', 'spent height of an unspent output must be 0');
      return { kind, ...fields, spentHeight: spent ? spentHeight : null };
    }
    case 'name':
      return { kind, name: name('name'), owner: key('owner'), registeredHeight: number('registered height'), expiresHeight: number('expires height') };
    case 'agent':
      return { kind, key: key('agent key'), name: name('agent name'), endpoint: readEndpoint(reader, 'endpoint'), registeredHeight: number('registered height') };
    case 'stake':
      return { kind, host: key('host'), stake: reader.u64('stake') };
    case 'stakeSnapshot':
      return { kind, height: number('snapshot height'), root: hash('snapshot root') };
    case 'stakeEntry':
      return { kind, height: number('snapshot height'), index: reader.u32('entry index'), key: key('entry key'), stake: reader.u64('entry stake') };
    case 'eventLog':
      return { kind, subject: hash('subject'), count: number('event count'), peaks: peaks('event log peak') };
    case 'event':
      return { kind, subject: hash('subject'), sequence: number('sequence'), record: lengthBytes(snapshotEventBytesMax, 'event') };
  }
}

/**
 * The record's place in the canonical order, as bytes compared bytewise: the kind's section,
 * then its key. A stake entry shares its snapshot's section and extends its key (height ‖ index),
 * so entries sort right after their snapshot; events do the same after their event log.
 */
export function recordSortKey(record: SnapshotRecord): Uint8Array {
  const writer = new ByteWriter();
  const u64 = (value: number): ByteWriter => writer.u64(BigInt(value));
  switch (record.kind) {
    case 'tip':
      return writer.u8(recordKinds.tip).finish();
    case 'header':
      writer.u8(recordKinds.header);
      return u64(record.header.height).finish();
    case 'transaction':
      writer.u8(recordKinds.transaction);
      return u64(record.logIndex).finish();
    case 'output':
      return writer.u8(recordKinds.output).bytes(record.outpoint).finish();
    case 'name':
      return writer.u8(recordKinds.name).bytes(utf8.encode(record.name)).finish();
    case 'agent':
      return writer.u8(recordKinds.agent).bytes(record.key).finish();
    case 'stake':
      return writer.u8(recordKinds.stake).bytes(record.host).finish();
    case 'stakeSnapshot':
      writer.u8(recordKinds.stakeSnapshot);
      return u64(record.height).finish();
    case 'stakeEntry':
      writer.u8(recordKinds.stakeSnapshot);
      return u64(record.height).u32(record.index).finish();
    case 'eventLog':
      return writer.u8(recordKinds.eventLog).bytes(record.subject).finish();
    case 'event':
      writer.u8(recordKinds.eventLog).bytes(record.subject);
      return u64(record.sequence).finish();
  }
}
