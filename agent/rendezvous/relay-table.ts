import { bytesToHex, type Rng } from '../../names/index.ts';
import { relayTokenBytes, type Address } from '../../rendezvous/index.ts';
import {
  relayBurstBytesGlobal,
  relayBurstBytesPerRelay,
  relayBytesMax,
  relayBytesPerSecondGlobal,
  relayBytesPerSecondPerRelay,
  relayIdleMs,
  relayLifetimeMs,
  relaysMax,
  relaysPerWalletMax,
} from '../constants.ts';
import type { RendezvousAgentErrorCode } from '../errors.ts';
import { fullBucket, takeTokens, type TokenBucket } from './token-bucket.ts';

/**
 * The agent's relays: two tokens ↔ two wallets' observed addresses. A relay datagram from
 * side i carrying token i goes to side 1−i, re-labelled with token 1−i; the payload is the
 * wallets' own end-to-end encrypted session datagram and is never looked at. Limits: bytes
 * and lifetime per relay, an idle timeout, a per-relay and a global bandwidth bucket.
 */
export interface RelaySide {
  readonly walletKeyHex: string;
  readonly token: Uint8Array;
  address: Address;
}

export interface Relay {
  readonly sessionId: Uint8Array;
  readonly sessionHex: string;
  readonly sides: readonly [RelaySide, RelaySide];
  readonly expiresAtMs: number;
  lastActivityMs: number;
  bytes: number;
  readonly bucket: TokenBucket;
}

export interface RelayTable {
  readonly bySession: Map<string, Relay>;
  readonly byToken: Map<string, { readonly relay: Relay; readonly side: 0 | 1 }>;
  readonly perWallet: Map<string, number>;
  readonly globalBucket: TokenBucket;
}

const perRelayLimits = { ratePerSecond: relayBytesPerSecondPerRelay, burst: relayBurstBytesPerRelay };
const globalLimits = { ratePerSecond: relayBytesPerSecondGlobal, burst: relayBurstBytesGlobal };

export function createRelayTable(nowMs: number): RelayTable {
  return { bySession: new Map(), byToken: new Map(), perWallet: new Map(), globalBucket: fullBucket(globalLimits, nowMs) };
}

export type AllocateResult = { readonly ok: true; readonly relay: Relay } | { readonly ok: false; readonly code: RendezvousAgentErrorCode };

/** A relay for an introduction (the same one again if it exists already). */
export function allocateRelay(
  table: RelayTable,
  sessionId: Uint8Array,
  sides: readonly [{ walletKeyHex: string; address: Address }, { walletKeyHex: string; address: Address }],
  rng: Rng,
  nowMs: number,
): AllocateResult {
  const sessionHex = bytesToHex(sessionId);
  const existing = table.bySession.get(sessionHex);
  if (existing !== undefined) return { ok: true, relay: existing };
  if (table.bySession.size >= relaysMax) return { ok: false, code: 'RENDEZVOUS_RELAY_FULL' };
  if (sides.some((side) => (table.perWallet.get(side.walletKeyHex) ?? 0) >= relaysPerWalletMax)) return { ok: false, code: 'RENDEZVOUS_RELAY_FULL' };
  const relay: Relay = {
    sessionId,
    sessionHex,
    sides: [
      { ...sides[0], token: rng.bytes(relayTokenBytes) },
      { ...sides[1], token: rng.bytes(relayTokenBytes) },
    ],
    expiresAtMs: nowMs + relayLifetimeMs,
    lastActivityMs: nowMs,
    bytes: 0,
    bucket: fullBucket(perRelayLimits, nowMs),
  };
  table.bySession.set(sessionHex, relay);
  relay.sides.forEach((side, index) => {
    table.byToken.set(bytesToHex(side.token), { relay, side: index as 0 | 1 });
    table.perWallet.set(side.walletKeyHex, (table.perWallet.get(side.walletKeyHex) ?? 0) + 1);
  });
  return { ok: true, relay };
}

export type ForwardResult = { readonly ok: true; readonly to: Address; readonly token: Uint8Array } | { readonly ok: false; readonly code: RendezvousAgentErrorCode };

/** Where a relay datagram from `from` with `token` goes, charging its payload to the limits. */
export function forwardRelay(table: RelayTable, token: Uint8Array, from: Address, payloadBytes: number, nowMs: number): ForwardResult {
  const entry = table.byToken.get(bytesToHex(token));
  if (entry === undefined || isOver(entry.relay, nowMs)) return { ok: false, code: 'RENDEZVOUS_RELAY_UNKNOWN_TOKEN' };
  const { relay, side } = entry;
  // Only the wallet's own observed address may use its token: a leaked token cannot inject.
  if (relay.sides[side].address !== from) return { ok: false, code: 'RENDEZVOUS_RELAY_WRONG_SOURCE' };
  if (relay.bytes + payloadBytes > relayBytesMax) {
    releaseRelay(table, relay.sessionHex);
    return { ok: false, code: 'RENDEZVOUS_RELAY_EXHAUSTED' };
  }
  if (!takeTokens(relay.bucket, perRelayLimits, nowMs, payloadBytes)) return { ok: false, code: 'RENDEZVOUS_RELAY_RATE_LIMITED' };
  if (!takeTokens(table.globalBucket, globalLimits, nowMs, payloadBytes)) return { ok: false, code: 'RENDEZVOUS_RELAY_RATE_LIMITED' };
  relay.bytes += payloadBytes;
  relay.lastActivityMs = nowMs;
  const other = relay.sides[side === 0 ? 1 : 0];
  return { ok: true, to: other.address, token: other.token };
}

/** A wallet's session moved (NAT rebinding): its relays follow its authenticated address. */
export function updateRelayAddress(table: RelayTable, walletKeyHex: string, address: Address): void {
  if (!table.perWallet.has(walletKeyHex)) return;
  for (const relay of table.bySession.values()) for (const side of relay.sides) if (side.walletKeyHex === walletKeyHex) side.address = address;
}

export function releaseRelay(table: RelayTable, sessionHex: string): boolean {
  const relay = table.bySession.get(sessionHex);
  if (relay === undefined) return false;
  table.bySession.delete(sessionHex);
  for (const side of relay.sides) {
    table.byToken.delete(bytesToHex(side.token));
    const count = (table.perWallet.get(side.walletKeyHex) ?? 1) - 1;
    if (count <= 0) table.perWallet.delete(side.walletKeyHex);
    else table.perWallet.set(side.walletKeyHex, count);
  }
  return true;
}

/** Releases every relay one side of which is this wallet (its session with the agent closed); returns how many. */
export function releaseRelaysOf(table: RelayTable, walletKeyHex: string): number {
  if (!table.perWallet.has(walletKeyHex)) return 0;
  let removed = 0;
  for (const relay of [...table.bySession.values()]) {
    if (relay.sides.some((side) => side.walletKeyHex === walletKeyHex) && releaseRelay(table, relay.sessionHex)) removed += 1;
  }
  return removed;
}

/** Releases relays past their lifetime or idle too long; returns how many. */
export function sweepRelays(table: RelayTable, nowMs: number): number {
  let removed = 0;
  for (const relay of [...table.bySession.values()]) if (isOver(relay, nowMs) && releaseRelay(table, relay.sessionHex)) removed += 1;
  return removed;
}

function isOver(relay: Relay, nowMs: number): boolean {
  return nowMs >= relay.expiresAtMs || nowMs - relay.lastActivityMs >= relayIdleMs;
}
