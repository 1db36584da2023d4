import { ParleyError, expectBytes, type Rng } from '../../names/index.ts';
import {
  punchBirthdayBatch,
  punchBirthdayBatchIntervalMs,
  punchBirthdayProbesMax,
  punchBirthdaySockets,
  punchBirthdaySprayDelayMs,
  punchLingerMs,
  punchNominations,
  punchNormalTtl,
  punchOpenerCount,
  punchOpenerLeadMs,
  punchPrivateAddressesMax,
  punchProbeIntervalMaxMs,
  punchProbeIntervalMs,
  punchSecretBytes,
  punchSessionIdBytes,
  punchTargetsMax,
} from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import { formatAddress, parseAddress } from '../net/transport.ts';
import { sprayPort } from './birthday.ts';
import { decodePunchPacket, derivePunchMacKey, encodePunchPacket, type PunchPacketKind } from './packet.ts';
import { chooseStrategy, deadlineMs, openerTtl, startDelayMs, type PunchStrategy } from './strategy.ts';
import type { Address, Introduction, LogEffect, SendEffect, SocketIndex, TimerEffect } from './types.ts';

/**
 * The hole-punch planner: a pure state machine per introduction (STYLE 1). The shell feeds
 * it the punch packets (first byte 0x50/0x51) that arrive on any of its sockets and a `tick`
 * at each `timer` effect, and carries out its effects in order.
 *
 * Timeline of a direct punch (docs/PROTOCOL.md has the sequence diagram):
 *   offer received → at once, low-TTL openers to the peer's observed address (they open our
 *   own mapping and die before the peer's NAT, so sending them early is harmless and makes
 *   the conntrack race safe even when the start alignment is off) → at the aligned start
 *   (startDelayMs, DCUtR), normal probes to the private addresses, and punchOpenerLeadMs
 *   later to the observed address, backing off → the first ack, from the address the probe
 *   went to and to the socket it left from, establishes the path.
 * Every valid probe is answered with an ack to its OBSERVED source, from the socket it
 * arrived on, and that source becomes a target too (a symmetric peer's real mapping).
 */
export type PunchPhase = 'punching' | 'established' | 'gave-up' | 'finished';

export interface PunchTarget {
  readonly socket: SocketIndex;
  readonly address: Address;
  readonly origin: 'observed' | 'private' | 'learned';
  /** Low-TTL openers still to send before the first normal probe. */
  openersPending: boolean;
  nextProbeMs: number;
  intervalMs: number;
}

export interface PunchState {
  readonly introduction: Introduction;
  readonly strategy: PunchStrategy;
  readonly macKey: Uint8Array;
  readonly rng: Rng;
  readonly createdMs: number;
  readonly startMs: number;
  readonly deadlineMs: number;
  phase: PunchPhase;
  readonly targets: PunchTarget[];
  /** Probes sent, by sequence: an ack must echo one and come from where it went. */
  readonly sent: Map<number, { readonly socket: SocketIndex; readonly to: Address; readonly sentMs: number }>;
  nextSequence: number;
  /** Birthday: the next extra socket to send its opener from (birthday-many). */
  openerCursor: number;
  /** Birthday: ports sprayed so far (birthday-spray). */
  readonly sprayed: Set<number>;
  nextBatchMs: number;
  lingerUntilMs: number;
  established: { readonly socket: SocketIndex; readonly address: Address; readonly rttMs: number } | undefined;
  /**
   * The controlling side's choice of path wins (ICE-style nomination): the many-socket side in
   * a birthday punch (it closes every other socket), else the caller. The other side follows
   * a nominated packet, but only onto a path it verified itself (an ack echoing its own probe
   * from there), so a replayed packet cannot move the path.
   */
  readonly controlling: boolean;
  readonly verified: Set<string>;
  pendingNomination: string | undefined;
  nominationsLeft: number;
  nextNominationMs: number;
  /** Packets sent, for tests and benchmarks. */
  packetsSent: number;
}

export type PunchEvent =
  | { readonly kind: 'datagram'; readonly socket: SocketIndex; readonly from: Address; readonly bytes: Uint8Array }
  | { readonly kind: 'tick' };

export type PunchEffect =
  | SendEffect
  | TimerEffect
  | LogEffect
  /** Open sockets 1..count (bound to any port) before carrying out the effects after this one. */
  | { readonly kind: 'open-sockets'; readonly count: number }
  /** Close every extra socket except `keep` (socket 0 is never closed by the planner). */
  | { readonly kind: 'close-sockets'; readonly keep: SocketIndex | undefined }
  /** A direct path: use `socket` and send to `address` (the peer's observed source). */
  | { readonly kind: 'established'; readonly socket: SocketIndex; readonly address: Address; readonly rttMs: number }
  /** Ask the agent for a relay now; the planner may still establish a direct path later. */
  | { readonly kind: 'relay'; readonly reason: 'both-endpoint-dependent' | 'timeout' }
  /** Nothing more will happen: the shell may drop this machine (and its timer). */
  | { readonly kind: 'finished' };

export interface PunchStep {
  readonly state: PunchState;
  readonly effects: PunchEffect[];
}

/** Starts a punch for an introduce-offer just received. Throws PUNCH_BAD_INPUT on a malformed introduction. */
export function startPunch(introduction: Introduction, rng: Rng, nowMs: number): PunchStep {
  checkIntroduction(introduction);
  const strategy = chooseStrategy(introduction.mine.profile, introduction.peer.profile);
  const startMs = nowMs + startDelayMs(introduction.mine.rttToAgentMs, introduction.peer.rttToAgentMs);
  const state: PunchState = {
    introduction,
    strategy,
    macKey: derivePunchMacKey(introduction.secret, introduction.sessionId),
    rng,
    createdMs: nowMs,
    startMs,
    deadlineMs: startMs + deadlineMs(strategy),
    phase: 'punching',
    targets: [],
    sent: new Map(),
    nextSequence: 1,
    openerCursor: 1,
    sprayed: new Set(),
    nextBatchMs: strategy === 'birthday-spray' ? startMs + punchBirthdaySprayDelayMs : nowMs,
    lingerUntilMs: Infinity,
    established: undefined,
    controlling: strategy === 'birthday-many' || (strategy !== 'birthday-spray' && introduction.role === 'caller'),
    verified: new Set(),
    pendingNomination: undefined,
    nominationsLeft: 0,
    nextNominationMs: Infinity,
    packetsSent: 0,
  };
  const effects: PunchEffect[] = [];
  if (strategy === 'relay') effects.push({ kind: 'relay', reason: 'both-endpoint-dependent' });
  begin(state, effects);
  return advance(state, nowMs, effects);
}

export function punchStep(state: PunchState, event: PunchEvent, nowMs: number): PunchStep {
  const effects: PunchEffect[] = [];
  if (event.kind === 'datagram' && state.phase !== 'finished') receive(state, event, nowMs, effects);
  return advance(state, nowMs, effects);
}

function receive(state: PunchState, event: Extract<PunchEvent, { kind: 'datagram' }>, nowMs: number, effects: PunchEffect[]): void {
  let packet;
  try {
    packet = decodePunchPacket(event.bytes, state.introduction.sessionId, state.macKey);
  } catch (error) {
    if (!(error instanceof ParleyError)) throw error;
    effects.push({ kind: 'log', code: error.code, message: `${error.message} (from ${event.from})` });
    return;
  }
  if (packet.role === state.introduction.role) {
    effects.push({ kind: 'log', code: 'PUNCH_REFLECTED', message: `our own ${packet.kind} came back from ${event.from}` });
    return;
  }
  const path = pathKey(event.socket, event.from);
  if (packet.kind === 'probe') {
    // Always answer the observed source, from the socket the probe arrived on.
    send(state, effects, event.socket, event.from, 'ack', packet.sequence, punchNormalTtl, nowMs);
    if (state.phase === 'punching') learnTarget(state, event.socket, event.from, nowMs, effects);
  } else {
    const probe = state.sent.get(packet.echo);
    if (probe === undefined || probe.socket !== event.socket || probe.to !== event.from) {
      effects.push({ kind: 'log', code: 'PUNCH_UNEXPECTED_ACK', message: `ack of #${packet.echo} from ${event.from} on socket ${event.socket}` });
      return;
    }
    state.verified.add(path);
    if (state.established === undefined || state.pendingNomination === path) establish(state, event.socket, event.from, nowMs - probe.sentMs, nowMs, effects);
  }
  if (packet.nominated && !state.controlling && !isEstablishedPath(state, event.socket, event.from)) {
    if (state.verified.has(path)) establish(state, event.socket, event.from, state.established?.rttMs ?? 0, nowMs, effects);
    else {
      // Verify the nominated path first: probe it; its ack completes the switch.
      state.pendingNomination = path;
      send(state, effects, event.socket, event.from, 'probe', 0, punchNormalTtl, nowMs);
    }
  }
}

/** Adopts a path (the first verified one, or the controlling side's nomination). */
function establish(state: PunchState, socket: SocketIndex, address: Address, rttMs: number, nowMs: number, effects: PunchEffect[]): void {
  const first = state.established === undefined;
  state.established = { socket, address, rttMs };
  state.pendingNomination = undefined;
  if (state.phase !== 'established') {
    state.phase = 'established';
    state.lingerUntilMs = nowMs + punchLingerMs;
  }
  if (first && state.strategy === 'birthday-many') effects.push({ kind: 'close-sockets', keep: socket === 0 ? undefined : socket });
  state.nominationsLeft = punchNominations;
  state.nextNominationMs = nowMs;
  effects.push({ kind: 'established', ...state.established });
}

function isEstablishedPath(state: PunchState, socket: SocketIndex, address: Address): boolean {
  return state.established !== undefined && state.established.socket === socket && state.established.address === address;
}

function pathKey(socket: SocketIndex, address: Address): string {
  return `${socket}|${address}`;
}

/** Sends what is due, moves between phases, and arms the next timer. */
function advance(state: PunchState, nowMs: number, effects: PunchEffect[]): PunchStep {
  if (state.phase === 'punching' && nowMs >= state.deadlineMs) {
    state.phase = 'gave-up';
    state.lingerUntilMs = nowMs + punchLingerMs;
    if (state.strategy === 'birthday-many') effects.push({ kind: 'close-sockets', keep: undefined });
    if (state.strategy !== 'relay') effects.push({ kind: 'relay', reason: 'timeout' });
  }
  if (state.phase === 'punching') sendDue(state, nowMs, effects);
  if (state.phase === 'established' && state.nominationsLeft > 0 && nowMs >= state.nextNominationMs) {
    // A few nominated probes on the chosen path, so the other side converges on it.
    send(state, effects, state.established!.socket, state.established!.address, 'probe', 0, punchNormalTtl, nowMs);
    state.nominationsLeft -= 1;
    state.nextNominationMs = state.nominationsLeft > 0 ? nowMs + punchProbeIntervalMs : Infinity;
  }
  if ((state.phase === 'established' || state.phase === 'gave-up') && nowMs >= state.lingerUntilMs) {
    state.phase = 'finished';
    effects.push({ kind: 'finished' });
    return { state, effects };
  }
  const wakeMs = nextWakeMs(state);
  if (wakeMs !== undefined) effects.push({ kind: 'timer', atMs: Math.max(wakeMs, nowMs) });
  return { state, effects };
}

function begin(state: PunchState, effects: PunchEffect[]): void {
  const { peer } = state.introduction;
  if (state.strategy !== 'relay') addTarget(state, 0, peer.observed, 'observed', state.startMs + punchOpenerLeadMs);
  for (const address of peer.privateAddresses) addTarget(state, 0, address, 'private', state.startMs);
  if (state.strategy === 'birthday-many') effects.push({ kind: 'open-sockets', count: punchBirthdaySockets });
}

function sendDue(state: PunchState, nowMs: number, effects: PunchEffect[]): void {
  const ttl = openerTtl(state.introduction.mine.profile);
  for (const target of state.targets) {
    if (target.openersPending) {
      for (let count = 0; count < punchOpenerCount; count++) send(state, effects, target.socket, target.address, 'probe', 0, ttl, nowMs);
      target.openersPending = false;
    }
    if (nowMs < target.nextProbeMs) continue;
    send(state, effects, target.socket, target.address, 'probe', 0, punchNormalTtl, nowMs);
    target.nextProbeMs = nowMs + target.intervalMs;
    target.intervalMs = Math.min(punchProbeIntervalMaxMs, target.intervalMs * 2);
  }
  if (nowMs < state.nextBatchMs) return;
  if (state.strategy === 'birthday-many' && state.openerCursor <= punchBirthdaySockets) {
    // Each extra socket opens its own mapping towards the peer; the opener dies before the peer's NAT.
    const last = Math.min(punchBirthdaySockets, state.openerCursor + punchBirthdayBatch - 1);
    for (; state.openerCursor <= last; state.openerCursor++) send(state, effects, state.openerCursor, state.introduction.peer.observed, 'probe', 0, ttl, nowMs);
    state.nextBatchMs = nowMs + punchBirthdayBatchIntervalMs;
  } else if (state.strategy === 'birthday-spray' && state.sprayed.size < punchBirthdayProbesMax) {
    const host = parseAddress(state.introduction.peer.observed)!.host;
    for (let count = 0; count < punchBirthdayBatch && state.sprayed.size < punchBirthdayProbesMax; count++) {
      const port = sprayPort(state.rng, state.sprayed);
      send(state, effects, 0, formatAddress(host, port), 'probe', 0, punchNormalTtl, nowMs);
    }
    state.nextBatchMs = nowMs + punchBirthdayBatchIntervalMs;
  }
}

function nextWakeMs(state: PunchState): number | undefined {
  switch (state.phase) {
    case 'finished':
      return undefined;
    case 'established':
      return Math.min(state.lingerUntilMs, state.nextNominationMs);
    case 'gave-up':
      return state.lingerUntilMs;
    case 'punching': {
      let wakeMs = state.deadlineMs;
      for (const target of state.targets) wakeMs = Math.min(wakeMs, target.nextProbeMs);
      const batchesLeft =
        (state.strategy === 'birthday-many' && state.openerCursor <= punchBirthdaySockets) ||
        (state.strategy === 'birthday-spray' && state.sprayed.size < punchBirthdayProbesMax);
      if (batchesLeft) wakeMs = Math.min(wakeMs, state.nextBatchMs);
      return wakeMs;
    }
  }
}

function learnTarget(state: PunchState, socket: SocketIndex, address: Address, nowMs: number, effects: PunchEffect[]): void {
  if (state.targets.some((target) => target.socket === socket && target.address === address)) return;
  if (state.targets.length >= punchTargetsMax) {
    effects.push({ kind: 'log', code: 'PUNCH_TARGETS_FULL', message: `not probing ${address}: ${punchTargetsMax} targets already` });
    return;
  }
  addTarget(state, socket, address, 'learned', nowMs);
}

/** A target; openers go to the observed address at once, normal probes from `firstProbeMs`. */
function addTarget(state: PunchState, socket: SocketIndex, address: Address, origin: PunchTarget['origin'], firstProbeMs: number): void {
  if (state.targets.some((target) => target.socket === socket && target.address === address)) return;
  const openersPending = origin === 'observed';
  state.targets.push({ socket, address, origin, openersPending, nextProbeMs: firstProbeMs, intervalMs: punchProbeIntervalMs });
}

function send(state: PunchState, effects: PunchEffect[], socket: SocketIndex, to: Address, kind: PunchPacketKind, echo: number, ttl: number, nowMs: number): void {
  const sequence = state.nextSequence++;
  const nominated = isEstablishedPath(state, socket, to);
  const bytes = encodePunchPacket({ kind, role: state.introduction.role, nominated, sessionId: state.introduction.sessionId, sequence, echo }, state.macKey);
  if (kind === 'probe') state.sent.set(sequence, { socket, to, sentMs: nowMs });
  state.packetsSent += 1;
  effects.push({ kind: 'send', socket, to, bytes, ttl });
}

function checkIntroduction(introduction: Introduction): void {
  try {
    expectBytes(introduction.sessionId, punchSessionIdBytes, 'introduction session id');
    expectBytes(introduction.secret, punchSecretBytes, 'introduction secret');
  } catch (error) {
    throw new RendezvousError('PUNCH_BAD_INPUT', (error as Error).message, { cause: error });
  }
  const { peer } = introduction;
  const addresses = [peer.observed, ...peer.privateAddresses];
  for (const address of addresses) {
    if (parseAddress(address) === undefined) throw new RendezvousError('PUNCH_BAD_ADDRESS', `introduction: bad peer address ${JSON.stringify(address)}`);
  }
  if (peer.privateAddresses.length > punchPrivateAddressesMax) {
    throw new RendezvousError('PUNCH_BAD_INPUT', `introduction: ${peer.privateAddresses.length} private addresses; at most ${punchPrivateAddressesMax}`);
  }
  for (const rtt of [introduction.mine.rttToAgentMs, peer.rttToAgentMs]) {
    if (!(Number.isFinite(rtt) && rtt >= 0)) throw new RendezvousError('PUNCH_BAD_INPUT', `introduction: bad RTT ${rtt}`);
  }
}
