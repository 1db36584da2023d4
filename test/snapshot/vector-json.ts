import { bytesToHex, hexToBytes } from '../../names/index.ts';
import type { SnapshotRecord } from '../../agent/snapshot/types.ts';

/**
 * Records as language-neutral JSON for vectors.json: bytes as hex, u64 amounts as decimal
 * strings, heights and counts as numbers, by field name.
 */
const bytesFields = new Set([
  'outpoint', 'key', 'host', 'owner', 'root', 'subject', 'record', 'txHash', 'bytes', 'address',
  'parametersHash', 'previousHash', 'transactionLogRoot', 'outpointRoot', 'keyEventRoot', 'stakeSnapshotRoot',
]);
const bigintFields = new Set(['amount', 'stake', 'supply', 'feesBurned']);
const hashListFields = new Set(['peaks', 'transactionLogPeaks']);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function recordToJson(record: SnapshotRecord): Json {
  return toJson(record);
}

export function recordFromJson(json: Json): SnapshotRecord {
  return fromJson(json) as SnapshotRecord;
}

function toJson(value: unknown, field = ''): Json {
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((item) => toJson(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item, key)]));
  if (value === undefined) throw new Error(`vector json: ${field} is undefined`);
  return value as Json;
}

function fromJson(value: Json, field = ''): unknown {
  if (typeof value === 'string' && bytesFields.has(field)) return hexToBytes(value);
  if (typeof value === 'string' && bigintFields.has(field)) return BigInt(value);
  if (Array.isArray(value)) return hashListFields.has(field) ? value.map((item) => hexToBytes(item as string)) : value.map((item) => fromJson(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromJson(item, key)]));
  return value;
}
