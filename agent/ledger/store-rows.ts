import { ledgerHashBytes, ledgerKeyBytes } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { decodeHeader, encodeHeader, headerHash } from './block-codec.ts';
import type { LedgerTip, StakeEntry } from './state-types.ts';
import { ByteReader, ByteWriter } from './tx-bytes.ts';
import { readEndpoint, writeEndpoint } from './tx-codec.ts';
import type { Endpoint } from './tx-types.ts';

/**
 * Encodings of the values the SQLite store keeps in BLOB columns. They reuse the canonical
 * ledger reader, so a damaged file fails with a typed error rather than a wrong value.
 */

export function encodeAmount(amount: bigint): Uint8Array {
  return new ByteWriter().u64(amount).finish();
}

export function decodeAmount(bytes: Uint8Array): bigint {
  return readAll(bytes, 'amount', (reader) => reader.u64('amount'));
}

export function encodeEndpointRow(endpoint: Endpoint): Uint8Array {
  return writeEndpoint(new ByteWriter(), endpoint).finish();
}

export function decodeEndpointRow(bytes: Uint8Array): Endpoint {
  return readAll(bytes, 'endpoint', (reader) => readEndpoint(reader, 'endpoint'));
}

export function encodeHashes(hashes: readonly Uint8Array[]): Uint8Array {
  const writer = new ByteWriter();
  for (const hash of hashes) writer.bytes(hash);
  return writer.finish();
}

export function decodeHashes(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length % ledgerHashBytes !== 0) throw corrupt(`hash list of ${bytes.length} bytes`);
  const hashes: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += ledgerHashBytes) hashes.push(bytes.slice(offset, offset + ledgerHashBytes));
  return hashes;
}

export function encodeStakeEntries(entries: readonly StakeEntry[]): Uint8Array {
  const writer = new ByteWriter();
  for (const entry of entries) writer.bytes(entry.key).u64(entry.stake);
  return writer.finish();
}

export function decodeStakeEntries(bytes: Uint8Array): StakeEntry[] {
  return readAll(bytes, 'stake snapshot', (reader) => {
    const entries: StakeEntry[] = [];
    while (reader.remaining > 0) entries.push({ key: reader.bytes(ledgerKeyBytes, 'key'), stake: reader.u64('stake') });
    return entries;
  });
}

/** header ‖ supply u64 ‖ feesBurned u64 ‖ transaction-log peaks (32 bytes each). */
export function encodeTip(tip: LedgerTip): Uint8Array {
  return new ByteWriter().bytes(encodeHeader(tip.header)).u64(tip.supply).u64(tip.feesBurned).bytes(encodeHashes(tip.transactionLogPeaks)).finish();
}

export function decodeTip(bytes: Uint8Array, headerBytes: number): LedgerTip {
  const header = decodeHeader(bytes.subarray(0, headerBytes));
  return readAll(bytes.subarray(headerBytes), 'tip', (reader) => {
    const supply = reader.u64('supply');
    const feesBurned = reader.u64('feesBurned');
    const transactionLogPeaks = decodeHashes(reader.bytes(reader.remaining, 'peaks'));
    return { header, headerHash: headerHash(header), supply, feesBurned, transactionLogPeaks };
  });
}

function readAll<Value>(bytes: Uint8Array, what: string, read: (reader: ByteReader) => Value): Value {
  try {
    const reader = new ByteReader(bytes, what);
    const value = read(reader);
    reader.end();
    return value;
  } catch (error) {
    if (error instanceof AgentError) throw corrupt(error.message);
    throw error;
  }
}

export function corrupt(message: string): AgentError {
  return new AgentError('LEDGER_STORE_CORRUPT', `ledger file: ${message}`);
}
