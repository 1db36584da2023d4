import { expectBytes, ParleyError, type NamesErrorCode } from '../../names/index.ts';
import { sessionPayloadBytesMax } from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import { NOISE_DH_BYTES } from '../noise/index.ts';
import { receiveCookieReply, receiveResponse, startHandshake } from './initiator.ts';
import { decodeSessionPacket } from './packets.ts';
import { receiveFinish, receiveInitiation } from './responder.ts';
import { log, newPeer, staticKeyId, type Peer, type SessionHostState, type Step } from './state.ts';
import { scheduleTimer, tickPeer } from './timers.ts';
import { closeLocally, receiveTransport, sendPayload } from './transport.ts';
import type { SessionAddress, SessionEffect, SessionEvent, SessionStepResult } from './types.ts';

/**
 * The session core's one entry point (STYLE 1). Network input that fails any check becomes
 * a `log` effect and the step returns normally (STYLE 6); local misuse (an unknown peer,
 * an oversized payload) throws a RendezvousError to the caller.
 */
export function sessionStep(state: SessionHostState, event: SessionEvent, nowMs: number): SessionStepResult<SessionHostState> {
  const step: Step = { state, effects: [], nowMs, touched: new Set() };
  switch (event.kind) {
    case 'datagram':
      receiveDatagram(step, event.datagram, event.from);
      break;
    case 'connect':
      connect(step, event);
      break;
    case 'send':
      if (event.payload.length > sessionPayloadBytesMax) {
        throw new RendezvousError('SESSION_PAYLOAD_TOO_LARGE', `payload of ${event.payload.length} bytes; at most ${sessionPayloadBytesMax}`);
      }
      sendPayload(step, requirePeer(state, event.peer), event.payload);
      break;
    case 'close':
      closeLocally(step, requirePeer(state, event.peer));
      break;
    case 'tick': {
      const peer = state.peers.get(event.peer);
      if (peer === undefined) break; // closed since the timer was armed
      peer.timerAtMs = undefined;
      tickPeer(step, peer);
      break;
    }
    case 'load':
      state.load.forced = event.underLoad;
      break;
  }
  for (const peer of step.touched) scheduleTimer(step, peer);
  return { state, effects: step.effects };
}

function receiveDatagram(step: Step, datagram: Uint8Array, from: SessionAddress): void {
  try {
    const packet = decodeSessionPacket(datagram);
    switch (packet.kind) {
      case 'transport':
      case 'close':
        return receiveTransport(step, packet, from);
      case 'ikInitiation':
      case 'xxInitiation':
        return receiveInitiation(step, packet, from);
      case 'ikResponse':
      case 'xxResponse':
        return receiveResponse(step, packet, from);
      case 'xxFinish':
        return receiveFinish(step, packet, from);
      case 'cookieReply':
        return receiveCookieReply(step, packet);
    }
  } catch (error) {
    // Expected failures carry a code; anything else is a bug and crashes.
    if (!(error instanceof ParleyError)) throw error;
    log(step, error.code as RendezvousError['code'] | NamesErrorCode, error.message, { from });
  }
}

function connect(step: Step, event: Extract<SessionEvent, { kind: 'connect' }>): void {
  const { state, nowMs } = step;
  if (event.remoteStaticKey !== undefined) expectBytes(event.remoteStaticKey, NOISE_DH_BYTES, 'remote static key');
  if (event.remoteIdentityKey !== undefined) expectBytes(event.remoteIdentityKey, 32, 'remote identity key');
  const id = event.peer ?? (event.remoteStaticKey === undefined ? undefined : staticKeyId(event.remoteStaticKey));
  if (id === undefined) throw new RendezvousError('SESSION_BAD_CONFIG', 'an XX connect (no remote static key) must name its peer');
  const existing = state.peers.get(id);
  if (existing !== undefined) {
    existing.announced = true;
    if (existing.established) step.effects.push(establishedEffect(existing));
    return;
  }
  const peer = newPeer(
    state,
    { id, endpoint: event.address, remoteStatic: event.remoteStaticKey, remoteIdentity: event.remoteIdentityKey, announced: true },
    nowMs,
  );
  startHandshake(step, peer);
}

function establishedEffect(peer: Peer): Extract<SessionEffect, { kind: 'established' }> {
  return {
    kind: 'established',
    peer: peer.id,
    address: peer.endpoint,
    remoteStaticKey: new Uint8Array(peer.remoteStatic!),
    remoteIdentityKey: new Uint8Array(peer.remoteIdentity!),
  };
}

function requirePeer(state: SessionHostState, id: string): Peer {
  const peer = state.peers.get(id);
  if (peer === undefined) throw new RendezvousError('SESSION_UNKNOWN_PEER', `no session named ${JSON.stringify(id)}`);
  return peer;
}
