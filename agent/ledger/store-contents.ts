import { bytesToHex } from '../../names/index.ts';
import { decodeHeader } from './block-codec.ts';
import { canonicalContents, type LedgerContents } from './state-contents.ts';
import { bytes, type SqliteLedgerStore } from './store-sqlite.ts';
import { decodeAmount, decodeEndpointRow, decodeHashes, decodeStakeEntries } from './store-rows.ts';
import { ByteReader } from './tx-bytes.ts';

type Row = Record<string, unknown>;

/** Every table of a ledger file as LedgerContents (state-contents.ts), for tests and audits. */
export function sqliteContents(store: SqliteLedgerStore): LedgerContents {
  const db = store.database;
  const all = (sql: string): Row[] => db.prepare(sql).all() as Row[];
  const events = new Map<string, Uint8Array[]>();
  for (const row of all('SELECT subject, record FROM events ORDER BY subject, sequence')) {
    const key = bytesToHex(bytes(row.subject));
    events.set(key, [...(events.get(key) ?? []), bytes(row.record)]);
  }
  return canonicalContents({
    tip: store.tip(),
    headers: all('SELECT header FROM blocks').map((row) => decodeHeader(bytes(row.header))),
    transactions: all('SELECT hash, height, position, log_index, bytes FROM transactions').map((row) => ({
      txHash: bytes(row.hash),
      height: row.height as number,
      position: row.position as number,
      logIndex: row.log_index as number,
      bytes: bytes(row.bytes),
    })),
    outputs: all('SELECT outpoint, amount, key, host, created_height, spent_height FROM outputs').map((row) => {
      const reader = new ByteReader(bytes(row.outpoint), 'outpoint');
      const outpoint = { txHash: reader.bytes(32, 'tx hash'), index: reader.u16('index') };
      return {
        outpoint,
        output: { amount: decodeAmount(bytes(row.amount)), key: bytes(row.key), host: bytes(row.host) },
        createdHeight: row.created_height as number,
        spentHeight: (row.spent_height as number | null) ?? null,
      };
    }),
    names: all('SELECT name, owner, registered_height, expires_height FROM names').map((row) => ({
      name: String(row.name),
      owner: bytes(row.owner),
      registeredHeight: row.registered_height as number,
      expiresHeight: row.expires_height as number,
    })),
    agents: all('SELECT key, name, endpoint, registered_height FROM agents').map((row) => ({
      key: bytes(row.key),
      name: String(row.name),
      endpoint: decodeEndpointRow(bytes(row.endpoint)),
      registeredHeight: row.registered_height as number,
    })),
    stakes: all('SELECT host, stake FROM stakes').map((row) => ({ key: bytes(row.host), stake: decodeAmount(bytes(row.stake)) })),
    snapshots: all('SELECT height, root, entries FROM stake_snapshots').map((row) => ({
      height: row.height as number,
      root: bytes(row.root),
      entries: decodeStakeEntries(bytes(row.entries)),
    })),
    eventLogs: all('SELECT subject, count, peaks FROM event_logs').map((row) => {
      const subject = bytes(row.subject);
      return { subject, count: row.count as number, peaks: decodeHashes(bytes(row.peaks)), events: events.get(bytesToHex(subject)) ?? [] };
    }),
  });
}
