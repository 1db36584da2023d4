import assert from 'node:assert/strict';
import { bytesToHex, parseLoginName, type Rng } from '../../names/index.ts';
import {
  decodeRelayPacket,
  encodeRelayPacket,
  presenceKeepaliveMs,
  punchPrivateAddressesMax,
  type Address,
  type RendezvousMessage,
  type RendezvousMessageOf,
} from '../../rendezvous/index.ts';
import { isAddress } from '../../rendezvous/net/index.ts';
import {
  introductionBurstPerSource,
  introductionBurstPerWallet,
  introductionLifetimeMs,
  introductionsPerSecondPerSource,
  introductionsPerSecondPerWallet,
  presenceExpiryMs,
  relayBytesMax,
  relayLifetimeMs,
  rendezvousRateKeysMax,
  rendezvousSweepMs,
} from '../constants.ts';
import type { RendezvousAgentErrorCode } from '../errors.ts';
import { addIntroduction, createIntroductionTable, findIntroduction, introductionFits, sweepIntroductions, type IntroductionTable } from './introductions.ts';
import { answerNatProbe, createNatProbeLimiter, type AgentEndpoints, type AgentEndpointName } from './nat-probe.ts';
import { createPresenceTable, presenceLogin, presenceLogout, presenceLookup, presenceSeen, presenceSweep, type PresenceTable } from './presence.ts';
import { allocateRelay, createRelayTable, forwardRelay, releaseRelay, releaseRelaysOf, sweepRelays, updateRelayAddress, type Relay, type RelayTable } from './relay-table.ts';
import { KeyedBuckets, sourceHost } from './token-bucket.ts';

assert.ok(presenceExpiryMs >= 3 * presenceKeepaliveMs, 'rendezvous: presence outlives two lost client keepalives');

/**
 * The agent's rendezvous service as one pure state machine (STYLE 1): presence, the
 * introduction service, NAT-probe answers and relays. The shell:
 *   - hands it every rendezvous message a wallet sends over its session (event `message`,
 *     with the wallet's authenticated identity and the session's current observed address);
 *   - hands it datagrams on the agent's UDP endpoints that are not session packets
 *     (`datagram`: NAT probes on any endpoint, relay datagrams on the primary one);
 *   - sends `send-message` effects over the wallet's session, `send-datagram` from the named
 *     endpoint, and ticks at the `timer` effect.
 */
export interface WalletIdentity {
  /** The x-only identity key the session's handshake bound (32 bytes) and its hex. */
  readonly key: Uint8Array;
  readonly keyHex: string;
  /** The wallet's account name at this agent, when it is hosted here (only those may log in). */
  readonly name: string | undefined;
}

export interface RendezvousAgentConfig {
  /** This agent's peer name: introductions are for `wallet@<agentName>`. */
  readonly agentName: string;
  readonly endpoints: AgentEndpoints;
  readonly rng: Rng;
}

export interface RendezvousAgentState {
  readonly config: RendezvousAgentConfig;
  readonly presence: PresenceTable;
  readonly introductions: IntroductionTable;
  readonly relays: RelayTable;
  readonly perWallet: KeyedBuckets;
  readonly perSource: KeyedBuckets;
  readonly natProbeLimiter: KeyedBuckets;
  nextSweepMs: number;
}

export type RendezvousAgentEvent =
  | { readonly kind: 'message'; readonly wallet: WalletIdentity; readonly from: Address; readonly message: RendezvousMessage }
  | { readonly kind: 'session-closed'; readonly walletKeyHex: string }
  | { readonly kind: 'datagram'; readonly endpoint: AgentEndpointName; readonly from: Address; readonly bytes: Uint8Array }
  | { readonly kind: 'tick' };

export type RendezvousAgentEffect =
  | { readonly kind: 'send-message'; readonly walletKeyHex: string; readonly message: RendezvousMessage }
  | { readonly kind: 'send-datagram'; readonly from: AgentEndpointName; readonly to: Address; readonly bytes: Uint8Array }
  | { readonly kind: 'timer'; readonly atMs: number }
  | { readonly kind: 'log'; readonly code: RendezvousAgentErrorCode; readonly message: string };

type Effects = RendezvousAgentEffect[];

export function createRendezvousAgent(config: RendezvousAgentConfig, nowMs: number): RendezvousAgentState {
  return {
    config,
    presence: createPresenceTable(),
    introductions: createIntroductionTable(),
    relays: createRelayTable(nowMs),
    perWallet: new KeyedBuckets({ ratePerSecond: introductionsPerSecondPerWallet, burst: introductionBurstPerWallet }, rendezvousRateKeysMax),
    perSource: new KeyedBuckets({ ratePerSecond: introductionsPerSecondPerSource, burst: introductionBurstPerSource }, rendezvousRateKeysMax),
    natProbeLimiter: createNatProbeLimiter(),
    nextSweepMs: nowMs + rendezvousSweepMs,
  };
}

export function rendezvousAgentStep(state: RendezvousAgentState, event: RendezvousAgentEvent, nowMs: number): { state: RendezvousAgentState; effects: Effects } {
  const effects: Effects = [];
  switch (event.kind) {
    case 'message':
      onMessage(state, event.wallet, event.from, event.message, nowMs, effects);
      break;
    case 'session-closed':
      // Offline: no presence, and its relays go too (the other side's session idles out and it
      // reconnects; otherwise every caller that went away would hold a relay for relayIdleMs).
      presenceLogout(state.presence, event.walletKeyHex);
      releaseRelaysOf(state.relays, event.walletKeyHex);
      break;
    case 'datagram':
      onDatagram(state, event, nowMs, effects);
      break;
    case 'tick':
      if (nowMs >= state.nextSweepMs) {
        presenceSweep(state.presence, nowMs);
        sweepIntroductions(state.introductions, nowMs);
        sweepRelays(state.relays, nowMs);
        state.nextSweepMs = nowMs + rendezvousSweepMs;
      }
      break;
  }
  effects.push({ kind: 'timer', atMs: state.nextSweepMs });
  return { state, effects };
}

function onMessage(state: RendezvousAgentState, wallet: WalletIdentity, from: Address, message: RendezvousMessage, nowMs: number, effects: Effects): void {
  // Authenticated traffic: the wallet is alive at `from` (a NAT rebinding moves it).
  presenceSeen(state.presence, wallet.keyHex, from, nowMs);
  updateRelayAddress(state.relays, wallet.keyHex, from);
  const reply = (answer: RendezvousMessage): void => void effects.push({ kind: 'send-message', walletKeyHex: wallet.keyHex, message: answer });
  switch (message.type) {
    case 'presence-login': {
      if (wallet.name === undefined) return log(effects, 'RENDEZVOUS_NOT_HOSTED', `presence-login from ${wallet.keyHex.slice(0, 16)}…, not hosted here`);
      const entry = { walletName: wallet.name, walletKeyHex: wallet.keyHex, walletKey: wallet.key, observed: from, privateAddresses: validAddresses(message.privateAddresses), profile: message.profile, rttMs: message.rttMs, lastSeenMs: nowMs };
      if (!presenceLogin(state.presence, entry)) return log(effects, 'RENDEZVOUS_PRESENCE_FULL', `presence-login of ${wallet.name}: the table is full`);
      return reply(presenceOk(state, 0, from, presenceExpiryMs));
    }
    case 'presence-keepalive': {
      const entry = presenceSeen(state.presence, wallet.keyHex, from, nowMs, message.rttMs);
      // expiresInMs 0: "you are not online here" (an agent restart, an expiry): log in again.
      return reply(presenceOk(state, message.sequence, from, entry === undefined ? 0 : presenceExpiryMs));
    }
    case 'presence-logout':
      return presenceLogout(state.presence, wallet.keyHex);
    case 'introduce-request':
      return introduce(state, wallet, from, message, nowMs, effects);
    case 'relay-allocate':
      return allocate(state, wallet, from, message.sessionId, nowMs, effects);
    case 'relay-release': {
      const relay = state.relays.bySession.get(bytesToHex(message.sessionId));
      if (relay !== undefined && relay.sides.some((side) => side.walletKeyHex === wallet.keyHex)) releaseRelay(state.relays, relay.sessionHex);
      return;
    }
    default:
      return log(effects, 'RENDEZVOUS_UNEXPECTED_MESSAGE', `${message.type} from a wallet`);
  }
}

function presenceOk(state: RendezvousAgentState, sequence: number, observed: Address, expiresInMs: number): RendezvousMessage {
  const probeAddress = state.config.endpoints.otherAddress;
  return { type: 'presence-ok', sequence, observed, expiresInMs, ...(probeAddress === undefined ? {} : { probeAddress }) };
}

function introduce(state: RendezvousAgentState, wallet: WalletIdentity, from: Address, request: RendezvousMessageOf<'introduce-request'>, nowMs: number, effects: Effects): void {
  const { requestId } = request;
  const refuse = (reason: RendezvousMessageOf<'introduce-refused'>['reason'], code: RendezvousAgentErrorCode, why: string): void => {
    log(effects, code, `introduce-request ${requestId}: ${why}`);
    effects.push({ kind: 'send-message', walletKeyHex: wallet.keyHex, message: { type: 'introduce-refused', requestId, reason } });
  };
  // Both buckets are charged, so neither many wallets from one host nor one wallet from many hosts get through.
  const walletAllowed = state.perWallet.take(wallet.keyHex, nowMs);
  const sourceAllowed = state.perSource.take(sourceHost(from), nowMs);
  if (!walletAllowed || !sourceAllowed) return refuse('rate-limited', 'RENDEZVOUS_RATE_LIMITED', `${walletAllowed ? 'source' : 'wallet'} over its rate`);
  let target;
  try {
    target = parseLoginName(request.target);
  } catch (error) {
    return refuse('bad-request', 'RENDEZVOUS_BAD_REQUEST', (error as Error).message);
  }
  if (target.agent !== state.config.agentName) return refuse('not-here', 'RENDEZVOUS_NOT_HERE', `${target.agent} is not this agent`);
  const callee = presenceLookup(state.presence, target.wallet, nowMs);
  if (callee === undefined) {
    effects.push({ kind: 'send-message', walletKeyHex: wallet.keyHex, message: { type: 'introduce-offline', requestId } });
    return;
  }
  if (callee.walletKeyHex === wallet.keyHex) return refuse('bad-request', 'RENDEZVOUS_BAD_REQUEST', 'an introduction to oneself');
  if (!introductionFits(state.introductions, wallet.keyHex, callee.walletName)) return refuse('busy', 'RENDEZVOUS_PENDING_FULL', 'too many pending introductions');
  const sessionId = state.config.rng.bytes(16);
  const secret = state.config.rng.bytes(32);
  const sessionHex = bytesToHex(sessionId);
  addIntroduction(
    state.introductions,
    { sessionId, sessionHex, caller: { walletKeyHex: wallet.keyHex, address: from }, callee: { walletKeyHex: callee.walletKeyHex, walletName: callee.walletName, address: callee.observed } },
    nowMs,
  );
  // Each side learns the other's OBSERVED address (never one it claimed) and a fresh secret.
  const common = { sessionId, secret, expiresInMs: introductionLifetimeMs } as const;
  effects.push({
    kind: 'send-message',
    walletKeyHex: wallet.keyHex,
    message: { type: 'introduce-offer', requestId, role: 'caller', ...common, profile: request.profile, peerKey: callee.walletKey, peerObserved: callee.observed, peerPrivateAddresses: callee.privateAddresses, peerProfile: callee.profile, peerRttMs: callee.rttMs },
  });
  effects.push({
    kind: 'send-message',
    walletKeyHex: callee.walletKeyHex,
    message: { type: 'introduce-offer', requestId: 0, role: 'callee', ...common, profile: callee.profile, peerKey: wallet.key, peerObserved: from, peerPrivateAddresses: validAddresses(request.privateAddresses), peerProfile: request.profile, peerRttMs: request.rttMs },
  });
}

function allocate(state: RendezvousAgentState, wallet: WalletIdentity, from: Address, sessionId: Uint8Array, nowMs: number, effects: Effects): void {
  const sessionHex = bytesToHex(sessionId);
  const record = findIntroduction(state.introductions, sessionHex, nowMs);
  const isSide = record !== undefined && (record.caller.walletKeyHex === wallet.keyHex || record.callee.walletKeyHex === wallet.keyHex);
  if (record === undefined || !isSide) {
    log(effects, 'RENDEZVOUS_UNKNOWN_SESSION', `relay-allocate for no live introduction of this wallet`);
    effects.push({ kind: 'send-message', walletKeyHex: wallet.keyHex, message: { type: 'relay-refused', sessionId, reason: 'unknown-session' } });
    return;
  }
  // The freshest authenticated address of each side: the asker's is `from`; the other's as last seen.
  const addressOf = (side: { walletKeyHex: string; address: Address }): Address => (side.walletKeyHex === wallet.keyHex ? from : side.address);
  const callee = presenceLookup(state.presence, record.callee.walletName, nowMs);
  if (callee !== undefined && callee.walletKeyHex === record.callee.walletKeyHex) record.callee.address = callee.observed;
  const sides = [
    { walletKeyHex: record.caller.walletKeyHex, address: addressOf(record.caller) },
    { walletKeyHex: record.callee.walletKeyHex, address: addressOf(record.callee) },
  ] as const;
  const result = allocateRelay(state.relays, record.sessionId, sides, state.config.rng, nowMs);
  if (!result.ok) {
    log(effects, result.code, `relay-allocate ${sessionHex.slice(0, 8)}…: no room`);
    effects.push({ kind: 'send-message', walletKeyHex: wallet.keyHex, message: { type: 'relay-refused', sessionId, reason: 'busy' } });
    return;
  }
  for (const side of result.relay.sides) effects.push({ kind: 'send-message', walletKeyHex: side.walletKeyHex, message: relayReady(state, result.relay, side.token, nowMs) });
}

function relayReady(state: RendezvousAgentState, relay: Relay, token: Uint8Array, nowMs: number): RendezvousMessage {
  const expiresInMs = Math.floor(Math.max(0, Math.min(relayLifetimeMs, relay.expiresAtMs - nowMs)));
  return { type: 'relay-ready', sessionId: relay.sessionId, token, relayAddress: state.config.endpoints.primary, expiresInMs, bytesMax: relayBytesMax };
}

function onDatagram(state: RendezvousAgentState, event: Extract<RendezvousAgentEvent, { kind: 'datagram' }>, nowMs: number, effects: Effects): void {
  const first = event.bytes[0];
  if (first === 0x52) {
    if (event.endpoint !== 'primary') return log(effects, 'RENDEZVOUS_RELAY_BAD_PACKET', `relay datagram on ${event.endpoint}`);
    let packet;
    try {
      packet = decodeRelayPacket(event.bytes);
    } catch (error) {
      return log(effects, 'RENDEZVOUS_RELAY_BAD_PACKET', (error as Error).message);
    }
    const result = forwardRelay(state.relays, packet.token, event.from, packet.payload.length, nowMs);
    if (!result.ok) return log(effects, result.code, `relay datagram from ${event.from} dropped`);
    effects.push({ kind: 'send-datagram', from: 'primary', to: result.to, bytes: encodeRelayPacket(result.token, packet.payload) });
    return;
  }
  const answer = answerNatProbe(state.config.endpoints, state.natProbeLimiter, event.endpoint, event.from, event.bytes, nowMs);
  if (answer.ok) effects.push({ kind: 'send-datagram', from: answer.from, to: event.from, bytes: answer.bytes });
  else log(effects, answer.code, answer.message);
}

function validAddresses(addresses: readonly string[]): Address[] {
  return addresses.filter((address): address is Address => isAddress(address)).slice(0, punchPrivateAddressesMax);
}

function log(effects: Effects, code: RendezvousAgentErrorCode, message: string): void {
  effects.push({ kind: 'log', code, message });
}
