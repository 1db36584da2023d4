import type { Address, NatProfile } from '../../rendezvous/index.ts';
import { presenceEntriesMax, presenceExpiryMs } from '../constants.ts';

/**
 * Who is online at this agent, and where: wallet name → its session's *observed* address
 * (never an address the wallet claims), its private addresses, NAT profile and RTT, and when
 * it was last heard from. One entry per wallet; a newer login replaces the older one.
 */
export interface PresenceEntry {
  readonly walletName: string;
  readonly walletKeyHex: string;
  readonly walletKey: Uint8Array;
  observed: Address;
  privateAddresses: readonly Address[];
  profile: NatProfile;
  rttMs: number;
  lastSeenMs: number;
}

export interface PresenceTable {
  readonly byName: Map<string, PresenceEntry>;
  /** Wallet key (hex) → name, for keepalives and address updates that arrive by session. */
  readonly nameByKey: Map<string, string>;
}

export function createPresenceTable(): PresenceTable {
  return { byName: new Map(), nameByKey: new Map() };
}

/** Records a login; false when the table is full (the caller logs RENDEZVOUS_PRESENCE_FULL). */
export function presenceLogin(table: PresenceTable, entry: PresenceEntry): boolean {
  const previous = table.byName.get(entry.walletName);
  if (previous === undefined && table.byName.size >= presenceEntriesMax) return false;
  if (previous !== undefined) table.nameByKey.delete(previous.walletKeyHex);
  const previousName = table.nameByKey.get(entry.walletKeyHex);
  if (previousName !== undefined && previousName !== entry.walletName) table.byName.delete(previousName);
  table.byName.set(entry.walletName, entry);
  table.nameByKey.set(entry.walletKeyHex, entry.walletName);
  return true;
}

/** Any authenticated traffic from the wallet: refreshes last-seen and the observed address (roaming). */
export function presenceSeen(table: PresenceTable, walletKeyHex: string, observed: Address, nowMs: number, rttMs?: number): PresenceEntry | undefined {
  const name = table.nameByKey.get(walletKeyHex);
  const entry = name === undefined ? undefined : table.byName.get(name);
  if (entry === undefined || isExpired(entry, nowMs)) return undefined;
  entry.observed = observed;
  entry.lastSeenMs = nowMs;
  if (rttMs !== undefined) entry.rttMs = rttMs;
  return entry;
}

export function presenceLogout(table: PresenceTable, walletKeyHex: string): void {
  const name = table.nameByKey.get(walletKeyHex);
  if (name === undefined) return;
  table.nameByKey.delete(walletKeyHex);
  table.byName.delete(name);
}

/** The live entry for a wallet name, or undefined when it is offline (never logged in, or expired). */
export function presenceLookup(table: PresenceTable, walletName: string, nowMs: number): PresenceEntry | undefined {
  const entry = table.byName.get(walletName);
  return entry === undefined || isExpired(entry, nowMs) ? undefined : entry;
}

/** Drops every expired entry; returns how many. */
export function presenceSweep(table: PresenceTable, nowMs: number): number {
  let removed = 0;
  for (const entry of [...table.byName.values()]) {
    if (!isExpired(entry, nowMs)) continue;
    presenceLogout(table, entry.walletKeyHex);
    removed += 1;
  }
  return removed;
}

function isExpired(entry: PresenceEntry, nowMs: number): boolean {
  return nowMs - entry.lastSeenMs >= presenceExpiryMs;
}
