import { hexToBytes, sha256 } from '../../names/index.ts';
import { encodeHeader } from './block-codec.ts';
import type { BlockHeader } from './block-types.ts';
import type { MemoryLedgerState } from './state-memory.ts';
import type { AgentRecord, LedgerTip, NameRecord, OutputRecord, StakeEntry, StakeSnapshot, TransactionRecord } from './state-types.ts';
import { ByteWriter } from './tx-bytes.ts';
import { encodeOutpoint } from './tx-hash.ts';
import { encodeEndpointRow, encodeStakeEntries, encodeTip } from './store-rows.ts';

/**
 * Everything a ledger holds, in one canonical order: what the compliance suite and the crash
 * test compare between the in-memory state and the SQLite file. (Sparse-tree nodes are left
 * out: the file deletes stale ones and memory keeps them; the roots in the tip cover both.)
 */
export type LedgerContents = {
  readonly tip: LedgerTip | null;
  readonly headers: readonly BlockHeader[];
  readonly transactions: readonly TransactionRecord[];
  readonly outputs: readonly OutputRecord[];
  readonly names: readonly NameRecord[];
  readonly agents: readonly AgentRecord[];
  readonly stakes: readonly StakeEntry[];
  readonly snapshots: readonly StakeSnapshot[];
  readonly eventLogs: readonly { readonly subject: Uint8Array; readonly count: number; readonly peaks: readonly Uint8Array[]; readonly events: readonly Uint8Array[] }[];
};

const byBytes = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);

/** Sorts every table into the canonical order. */
export function canonicalContents(contents: LedgerContents): LedgerContents {
  return {
    tip: contents.tip,
    headers: [...contents.headers].sort((a, b) => a.height - b.height),
    transactions: [...contents.transactions].sort((a, b) => a.logIndex - b.logIndex),
    outputs: [...contents.outputs].sort((a, b) => byBytes(encodeOutpoint(a.outpoint), encodeOutpoint(b.outpoint))),
    names: [...contents.names].sort((a, b) => byBytes(new TextEncoder().encode(a.name), new TextEncoder().encode(b.name))),
    agents: [...contents.agents].sort((a, b) => byBytes(a.key, b.key)),
    stakes: [...contents.stakes].sort((a, b) => byBytes(a.key, b.key)),
    snapshots: [...contents.snapshots].sort((a, b) => a.height - b.height),
    eventLogs: [...contents.eventLogs].sort((a, b) => byBytes(a.subject, b.subject)),
  };
}

export function memoryContents(state: MemoryLedgerState): LedgerContents {
  const tables = state.tables();
  return canonicalContents({
    tip: state.tip(),
    headers: [...tables.headers.values()],
    transactions: [...tables.transactions.values()],
    outputs: [...tables.outputs.values()],
    names: [...tables.names.values()],
    agents: [...tables.agents.values()],
    stakes: [...tables.stakes.entries()].map(([key, stake]) => ({ key: hexToBytes(key), stake })),
    snapshots: [...tables.snapshots.values()],
    eventLogs: [...tables.eventLogs.entries()].map(([subject, log]) => ({
      subject: hexToBytes(subject),
      count: log.count,
      peaks: log.peaks,
      events: tables.events.get(subject) ?? [],
    })),
  });
}

/** One hash of all contents, for logs and quick comparisons. */
export function contentsDigest(contents: LedgerContents): Uint8Array {
  const writer = new ByteWriter();
  const u = (value: number): ByteWriter => writer.u64(BigInt(value));
  writer.u8(contents.tip === null ? 0 : 1);
  if (contents.tip !== null) writer.bytes(encodeTip(contents.tip));
  for (const header of contents.headers) writer.bytes(encodeHeader(header));
  for (const record of contents.transactions) u(record.height).u16(record.position).u64(BigInt(record.logIndex)).u32(record.bytes.length).bytes(record.bytes);
  for (const record of contents.outputs) {
    writer.bytes(encodeOutpoint(record.outpoint)).u64(record.output.amount).bytes(record.output.key).bytes(record.output.host);
    u(record.createdHeight).u64(BigInt(record.spentHeight ?? -1) & 0xffff_ffff_ffff_ffffn);
  }
  for (const record of contents.names) writer.bytes8(new TextEncoder().encode(record.name)).bytes(record.owner).u64(BigInt(record.registeredHeight)).u64(BigInt(record.expiresHeight));
  for (const record of contents.agents) writer.bytes(record.key).bytes8(new TextEncoder().encode(record.name)).bytes(encodeEndpointRow(record.endpoint)).u64(BigInt(record.registeredHeight));
  for (const entry of contents.stakes) writer.bytes(entry.key).u64(entry.stake);
  for (const snapshot of contents.snapshots) u(snapshot.height).bytes(snapshot.root).bytes(encodeStakeEntries(snapshot.entries));
  for (const log of contents.eventLogs) {
    writer.bytes(log.subject).u64(BigInt(log.count));
    for (const peak of log.peaks) writer.bytes(peak);
    for (const event of log.events) writer.u32(event.length).bytes(event);
  }
  return sha256(writer.finish());
}
