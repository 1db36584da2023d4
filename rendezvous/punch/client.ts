import { bytesToHex, ParleyError } from '../../names/index.ts';
import { presenceKeepaliveMs, punchPrivateAddressesMax, rendezvousRttDefaultMs } from '../constants.ts';
import { decodeWith } from '../wire/decode.ts';
import { rendezvousRegistry, type RendezvousMessage, type RendezvousMessageOf } from '../wire/messages-rendezvous.ts';
import { isAddress } from '../net/transport.ts';
import { classifyStep, startClassification, type ClassifyEffect, type ClassifyStep } from './classify.ts';
import { mainSocket, type AgentRef, type PeerEntry, type RendezvousClientConfig, type RendezvousClientEffect, type RendezvousClientEvent, type RendezvousClientState, type RendezvousClientStep } from './client-types.ts';
import { pathStep, startPath, type PathEvent } from './path.ts';
import { punchStep, startPunch, type PunchEvent, type PunchStep } from './planner.ts';
import { classifyDatagram, decodeRelayPacket, encodeRelayPacket } from './relay-packet.ts';
import { unknownProfile, type Address, type SocketKey } from './types.ts';

/**
 * The wallet side of rendezvous as one pure state machine (STYLE 1): presence and keepalives
 * at the home agent, NAT classification, introductions, one punch planner per introduction
 * and one path per peer. The socket shell (a later layer) does only this:
 *   - on its session with an agent delivering a rendezvous message → event `agent-message`;
 *   - on a datagram whose classifyDatagram() is punch, relay or message → event `datagram`;
 *   - at the `timer` effect's time → event `tick` (one timer for the whole client);
 *   - carries out effects in order (`open-sockets` before the sends that use them).
 * Session datagrams for a peer go where routeDatagram() says.
 */
type Effects = RendezvousClientEffect[];

export function createRendezvousClient(config: RendezvousClientConfig): RendezvousClientState {
  return {
    config,
    profile: unknownProfile,
    observed: undefined,
    probeAddress: undefined,
    classification: undefined,
    presence: { online: false, sequence: 0, pending: new Map(), nextKeepaliveMs: undefined },
    rttMs: new Map(),
    requests: new Map(),
    nextRequestId: 1,
    peers: new Map(),
    introductions: new Map(),
    relayTokens: new Map(),
  };
}

export function rendezvousClientStep(state: RendezvousClientState, event: RendezvousClientEvent, nowMs: number): RendezvousClientStep {
  const effects: Effects = [];
  switch (event.kind) {
    case 'start':
      if (event.rttMs !== undefined) sampleRtt(state, state.config.home.id, event.rttMs);
      sendLogin(state, nowMs, effects);
      break;
    case 'agent-message':
      onAgentMessage(state, event.agent, event.message, nowMs, effects);
      break;
    case 'datagram':
      onDatagram(state, event, nowMs, effects);
      break;
    case 'connect':
      if (event.rttMs !== undefined) sampleRtt(state, event.agent.id, event.rttMs);
      connect(state, event.target, event.agent, nowMs, effects);
      break;
    case 'direct-lost': {
      const peer = state.peers.get(event.peerKeyHex);
      if (peer !== undefined) runPath(state, peer, { kind: 'direct-lost' }, nowMs, effects);
      break;
    }
    case 'tick':
      tick(state, nowMs, effects);
      break;
  }
  const wakeMs = nextWakeMs(state);
  if (wakeMs !== undefined) effects.push({ kind: 'timer', atMs: Math.max(wakeMs, nowMs) });
  return { state, effects };
}

/** Where a session datagram for this peer goes now, or undefined while there is no route. */
export function routeDatagram(state: RendezvousClientState, peerKeyHex: string, bytes: Uint8Array): { socket: SocketKey; to: Address; bytes: Uint8Array } | undefined {
  const route = state.peers.get(peerKeyHex)?.path.route;
  if (route === undefined) return undefined;
  if (route.kind === 'direct') return { socket: route.socket, to: route.address, bytes };
  return { socket: mainSocket, to: route.relayAddress, bytes: encodeRelayPacket(route.token, bytes) };
}

function rttOf(state: RendezvousClientState, agentId: string): number {
  return Math.round(state.rttMs.get(agentId) ?? rendezvousRttDefaultMs);
}

function sampleRtt(state: RendezvousClientState, agentId: string, sampleMs: number): void {
  const previous = state.rttMs.get(agentId);
  state.rttMs.set(agentId, previous === undefined ? sampleMs : previous + (sampleMs - previous) / 8);
}

function privateAddresses(state: RendezvousClientState): Address[] {
  return state.config.localAddresses.slice(0, punchPrivateAddressesMax);
}

// ── Presence and classification ─────────────────────────────────────────────

function sendLogin(state: RendezvousClientState, nowMs: number, effects: Effects): void {
  const { home } = state.config;
  state.presence.pending.set(0, nowMs);
  const message = { type: 'presence-login', privateAddresses: privateAddresses(state), profile: state.profile, rttMs: Math.min(60_000, rttOf(state, home.id)) } as const;
  effects.push({ kind: 'agent-message', agent: home, message });
}

function onPresenceOk(state: RendezvousClientState, message: RendezvousMessageOf<'presence-ok'>, nowMs: number, effects: Effects): void {
  const { home } = state.config;
  const sentMs = state.presence.pending.get(message.sequence);
  const firstSample = sentMs !== undefined && !state.rttMs.has(home.id);
  if (sentMs !== undefined) sampleRtt(state, home.id, nowMs - sentMs);
  state.presence.pending.delete(message.sequence);
  if (isAddress(message.observed)) state.observed = message.observed;
  if (message.probeAddress !== undefined && isAddress(message.probeAddress)) state.probeAddress = message.probeAddress;
  state.presence.online = message.expiresInMs > 0;
  state.presence.nextKeepaliveMs ??= nowMs + presenceKeepaliveMs;
  // expiresInMs 0: the agent does not know us (it restarted, or we expired): log in again.
  if (message.expiresInMs === 0) sendLogin(state, nowMs, effects);
  // The login carried no measured RTT; the agent needs it to align the punches we are part of.
  else if (firstSample) sendKeepalive(state, nowMs, effects);
  if (state.classification === undefined) {
    const input = { primary: state.config.home.address, probeAddress: state.probeAddress, localAddresses: state.config.localAddresses, rng: state.config.rng };
    const step = startClassification(input, nowMs);
    state.classification = { state: step.state, wakeMs: undefined };
    applyClassify(state, step, nowMs, effects);
  }
}

function applyClassify(state: RendezvousClientState, step: ClassifyStep, nowMs: number, effects: Effects): void {
  const holder = state.classification!;
  holder.wakeMs = undefined;
  for (const effect of step.effects as ClassifyEffect[]) {
    if (effect.kind === 'timer') holder.wakeMs = effect.atMs;
    else if (effect.kind === 'send') effects.push({ ...effect, socket: mainSocket });
    else if (effect.kind === 'log') effects.push(effect);
    else {
      state.profile = effect.result.profile;
      effects.push(effect);
      sendLogin(state, nowMs, effects); // tell the home agent our profile
    }
  }
}

function sendKeepalive(state: RendezvousClientState, nowMs: number, effects: Effects): void {
  const { presence } = state;
  presence.sequence = (presence.sequence % 0xffff_ffff) + 1;
  presence.pending.set(presence.sequence, nowMs);
  for (const [sequence, sentMs] of presence.pending) if (nowMs - sentMs > 3 * presenceKeepaliveMs) presence.pending.delete(sequence);
  presence.nextKeepaliveMs = nowMs + presenceKeepaliveMs;
  const { home } = state.config;
  effects.push({ kind: 'agent-message', agent: home, message: { type: 'presence-keepalive', sequence: presence.sequence, rttMs: Math.min(60_000, rttOf(state, home.id)) } });
}

// ── Introductions ───────────────────────────────────────────────────────────

function connect(state: RendezvousClientState, target: string, agent: AgentRef, nowMs: number, effects: Effects): void {
  const requestId = state.nextRequestId;
  state.nextRequestId = (state.nextRequestId % 0xffff_ffff) + 1;
  state.requests.set(requestId, { target, agent, sentMs: nowMs });
  const message = { type: 'introduce-request', requestId, target, privateAddresses: privateAddresses(state), profile: state.profile, rttMs: Math.min(60_000, rttOf(state, agent.id)) } as const;
  effects.push({ kind: 'agent-message', agent, message });
}

function onAgentMessage(state: RendezvousClientState, agent: AgentRef, message: RendezvousMessage, nowMs: number, effects: Effects): void {
  switch (message.type) {
    case 'presence-ok':
      if (agent.id === state.config.home.id) return onPresenceOk(state, message, nowMs, effects);
      break;
    case 'introduce-offer':
      return onOffer(state, agent, message, nowMs, effects);
    case 'introduce-offline':
    case 'introduce-refused': {
      const request = state.requests.get(message.requestId);
      if (request === undefined || request.agent.id !== agent.id) break;
      state.requests.delete(message.requestId);
      if (message.type === 'introduce-offline') effects.push({ kind: 'offline', target: request.target });
      else effects.push({ kind: 'refused', target: request.target, reason: message.reason });
      return;
    }
    case 'relay-ready':
    case 'relay-refused': {
      const peer = peerOfIntroduction(state, message.sessionId);
      if (peer === undefined || peer.agent.id !== agent.id) break;
      if (message.type === 'relay-refused') return runPath(state, peer, { kind: 'relay-refused' }, nowMs, effects);
      if (!isAddress(message.relayAddress)) break;
      state.relayTokens.set(bytesToHex(message.token), peer.peerKeyHex);
      const event = { kind: 'relay-ready', sessionId: message.sessionId, relayAddress: message.relayAddress, token: message.token, expiresInMs: message.expiresInMs } as const;
      return runPath(state, peer, event, nowMs, effects);
    }
    default:
      break;
  }
  effects.push({ kind: 'log', code: 'RENDEZVOUS_UNEXPECTED_MESSAGE', message: `${message.type} from agent ${agent.id} answers nothing we asked` });
}

function onOffer(state: RendezvousClientState, agent: AgentRef, offer: RendezvousMessageOf<'introduce-offer'>, nowMs: number, effects: Effects): void {
  let target: string | undefined;
  if (offer.role === 'caller') {
    const request = state.requests.get(offer.requestId);
    if (request === undefined || request.agent.id !== agent.id) {
      effects.push({ kind: 'log', code: 'RENDEZVOUS_UNEXPECTED_MESSAGE', message: `introduce-offer for unknown request ${offer.requestId}` });
      return;
    }
    state.requests.delete(offer.requestId);
    sampleRtt(state, agent.id, nowMs - request.sentMs); // the freshest RTT to this agent
    target = request.target;
  }
  const sessionHex = bytesToHex(offer.sessionId);
  if (state.introductions.has(sessionHex)) return; // a duplicate offer
  const introduction = {
    role: offer.role,
    sessionId: offer.sessionId,
    secret: offer.secret,
    // The agent's view of our profile, not our latest: both sides must choose the same strategy.
    mine: { profile: offer.profile, rttToAgentMs: rttOf(state, agent.id) },
    peer: { observed: offer.peerObserved as Address, privateAddresses: offer.peerPrivateAddresses as Address[], profile: offer.peerProfile, rttToAgentMs: offer.peerRttMs },
  };
  let step: PunchStep;
  try {
    step = startPunch(introduction, state.config.rng, nowMs);
  } catch (error) {
    if (!(error instanceof ParleyError)) throw error;
    effects.push({ kind: 'log', code: error.code, message: `introduce-offer: ${error.message}` });
    return;
  }
  const peerKeyHex = bytesToHex(offer.peerKey);
  let peer = state.peers.get(peerKeyHex);
  if (peer === undefined) {
    peer = { peerKeyHex, agent, target, path: startPath(nowMs), pathWakeMs: undefined, punches: new Map() };
    state.peers.set(peerKeyHex, peer);
  }
  state.introductions.set(sessionHex, peerKeyHex);
  peer.punches.set(sessionHex, { punch: step.state, wakeMs: undefined });
  applyPunch(state, peer, sessionHex, step, nowMs, effects);
}

function peerOfIntroduction(state: RendezvousClientState, sessionId: Uint8Array): PeerEntry | undefined {
  const peerKeyHex = state.introductions.get(bytesToHex(sessionId));
  return peerKeyHex === undefined ? undefined : state.peers.get(peerKeyHex);
}

// ── Punches and paths ───────────────────────────────────────────────────────

function applyPunch(state: RendezvousClientState, peer: PeerEntry, sessionHex: string, step: PunchStep, nowMs: number, effects: Effects): void {
  const holder = peer.punches.get(sessionHex)!;
  holder.wakeMs = undefined;
  const socketKey = (index: number): string => (index === 0 ? mainSocket : `${sessionHex}/${index}`);
  for (const effect of step.effects) {
    switch (effect.kind) {
      case 'send':
        effects.push({ ...effect, socket: socketKey(effect.socket) });
        break;
      case 'open-sockets':
        effects.push({ kind: 'open-sockets', owner: sessionHex, count: effect.count });
        break;
      case 'close-sockets':
        effects.push({ kind: 'close-sockets', owner: sessionHex, keep: effect.keep === undefined ? undefined : socketKey(effect.keep) });
        break;
      case 'timer':
        holder.wakeMs = effect.atMs;
        break;
      case 'log':
        effects.push(effect);
        break;
      case 'established':
        runPath(state, peer, { kind: 'punch-established', socket: socketKey(effect.socket), address: effect.address }, nowMs, effects);
        break;
      case 'relay':
        runPath(state, peer, { kind: 'punch-relay', sessionId: step.state.introduction.sessionId }, nowMs, effects);
        break;
      case 'finished':
        peer.punches.delete(sessionHex);
        if (peer.path.relaySessionId === undefined || bytesToHex(peer.path.relaySessionId) !== sessionHex) state.introductions.delete(sessionHex);
        return;
    }
  }
}

function runPath(state: RendezvousClientState, peer: PeerEntry, event: PathEvent, nowMs: number, effects: Effects): void {
  const step = pathStep(peer.path, event, nowMs);
  peer.pathWakeMs = undefined;
  for (const effect of step.effects) {
    switch (effect.kind) {
      case 'timer':
        peer.pathWakeMs = effect.atMs;
        break;
      case 'request-relay':
        effects.push({ kind: 'agent-message', agent: peer.agent, message: { type: 'relay-allocate', sessionId: effect.sessionId } });
        break;
      case 'release-relay':
        for (const [token, owner] of state.relayTokens) if (owner === peer.peerKeyHex) state.relayTokens.delete(token);
        effects.push({ kind: 'agent-message', agent: peer.agent, message: { type: 'relay-release', sessionId: effect.sessionId } });
        break;
      case 'use-route':
        effects.push({ kind: 'route', peerKeyHex: peer.peerKeyHex, route: effect.route, connectMs: effect.connectMs });
        break;
      case 'repunch':
        // Only the caller knows where to ask; the callee gets the caller's new offer.
        if (peer.target !== undefined) connect(state, peer.target, peer.agent, nowMs, effects);
        break;
      case 'failed':
        effects.push({ kind: 'failed', peerKeyHex: peer.peerKeyHex, reason: effect.reason });
        break;
    }
  }
}

function onDatagram(state: RendezvousClientState, event: Extract<RendezvousClientEvent, { kind: 'datagram' }>, nowMs: number, effects: Effects): void {
  const kind = classifyDatagram(event.bytes);
  if (kind === 'punch') return onPunchDatagram(state, event, nowMs, effects);
  if (kind === 'relay') return onRelayDatagram(state, event, effects);
  if (kind === 'message') {
    const decoded = decodeWith(rendezvousRegistry, event.bytes);
    if (decoded.ok && decoded.message.type === 'nat-probe-reply' && state.classification !== undefined && event.socket === mainSocket) {
      return applyClassify(state, classifyStep(state.classification.state, { kind: 'reply', message: decoded.message }, nowMs), nowMs, effects);
    }
    const reason = decoded.ok ? `unexpected ${decoded.message.type}` : decoded.error.message;
    effects.push({ kind: 'log', code: decoded.ok ? 'NAT_PROBE_UNEXPECTED' : decoded.error.code, message: `datagram from ${event.from}: ${reason}` });
    return;
  }
  effects.push({ kind: 'log', code: 'PUNCH_UNKNOWN_TYPE', message: `datagram from ${event.from}: not a rendezvous datagram` });
}

function onPunchDatagram(state: RendezvousClientState, event: Extract<RendezvousClientEvent, { kind: 'datagram' }>, nowMs: number, effects: Effects): void {
  const sessionHex = event.bytes.length >= 18 ? bytesToHex(event.bytes.subarray(2, 18)) : '';
  const peer = state.peers.get(state.introductions.get(sessionHex) ?? '');
  const holder = peer?.punches.get(sessionHex);
  let socket: number | undefined;
  if (event.socket === mainSocket) socket = 0;
  else if (event.socket.startsWith(`${sessionHex}/`)) socket = Number(event.socket.slice(sessionHex.length + 1));
  if (peer === undefined || holder === undefined || socket === undefined || !Number.isInteger(socket)) {
    effects.push({ kind: 'log', code: 'PUNCH_WRONG_SESSION', message: `punch packet from ${event.from} on ${event.socket} for no punch of ours` });
    return;
  }
  const punchEvent: PunchEvent = { kind: 'datagram', socket, from: event.from, bytes: event.bytes };
  applyPunch(state, peer, sessionHex, punchStep(holder.punch, punchEvent, nowMs), nowMs, effects);
}

function onRelayDatagram(state: RendezvousClientState, event: Extract<RendezvousClientEvent, { kind: 'datagram' }>, effects: Effects): void {
  let packet;
  try {
    packet = decodeRelayPacket(event.bytes);
  } catch (error) {
    if (!(error instanceof ParleyError)) throw error;
    effects.push({ kind: 'log', code: error.code, message: `${error.message} (from ${event.from})` });
    return;
  }
  const { token, payload } = packet;
  const peerKeyHex = state.relayTokens.get(bytesToHex(token));
  const route = peerKeyHex === undefined ? undefined : state.peers.get(peerKeyHex)?.path.route;
  if (peerKeyHex === undefined || route?.kind !== 'relayed' || route.relayAddress !== event.from || event.socket !== mainSocket) {
    effects.push({ kind: 'log', code: 'RELAY_UNKNOWN_TOKEN', message: `relay datagram from ${event.from} for no relay of ours` });
    return;
  }
  effects.push({ kind: 'deliver', peerKeyHex, bytes: payload.slice() });
}

function tick(state: RendezvousClientState, nowMs: number, effects: Effects): void {
  const classification = state.classification;
  if (classification?.wakeMs !== undefined && classification.wakeMs <= nowMs) applyClassify(state, classifyStep(classification.state, { kind: 'tick' }, nowMs), nowMs, effects);
  if (state.presence.nextKeepaliveMs !== undefined && state.presence.nextKeepaliveMs <= nowMs) sendKeepalive(state, nowMs, effects);
  for (const peer of [...state.peers.values()]) {
    for (const [sessionHex, holder] of [...peer.punches]) {
      if (holder.wakeMs !== undefined && holder.wakeMs <= nowMs) applyPunch(state, peer, sessionHex, punchStep(holder.punch, { kind: 'tick' }, nowMs), nowMs, effects);
    }
    if (peer.pathWakeMs !== undefined && peer.pathWakeMs <= nowMs) runPath(state, peer, { kind: 'tick' }, nowMs, effects);
  }
}

function nextWakeMs(state: RendezvousClientState): number | undefined {
  let wakeMs = Math.min(state.classification?.wakeMs ?? Infinity, state.presence.nextKeepaliveMs ?? Infinity);
  for (const peer of state.peers.values()) {
    wakeMs = Math.min(wakeMs, peer.pathWakeMs ?? Infinity);
    for (const holder of peer.punches.values()) wakeMs = Math.min(wakeMs, holder.wakeMs ?? Infinity);
  }
  return Number.isFinite(wakeMs) ? wakeMs : undefined;
}
