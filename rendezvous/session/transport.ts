import { RendezvousError } from '../errors.ts';
import { startHandshake } from './initiator.ts';
import { canSend, openTransport, sealTransport, type Keypair } from './keypair.ts';
import type { TransportPacket } from './packets.ts';
import { closePeer, promoteNext, sendDatagram, sendSealed, updateEndpoint } from './peer.ts';
import { log, type Peer, type Step } from './state.ts';
import type { SessionAddress } from './types.ts';

/**
 * Transport packets: sending payloads (or queueing them while no keys can send), receiving
 * them with the replay window, key confirmation, roaming and the authenticated close.
 */
const EMPTY = new Uint8Array(0);

export function sendPayload(step: Step, peer: Peer, payload: Uint8Array): void {
  const { state, nowMs } = step;
  if (canSend(peer.current, state.limits, nowMs)) {
    sendSealed(step, peer, peer.current, payload);
    maybeRekey(step, peer);
    return;
  }
  if (peer.queue.length >= state.limits.queuedPayloadsMax) {
    peer.queue.shift();
    log(step, 'SESSION_QUEUE_FULL', 'no keys to send with and the queue is full: dropped the oldest payload', { peer: peer.id });
  }
  peer.queue.push(new Uint8Array(payload));
  ensureHandshake(step, peer);
}

/** Starts a handshake unless one is in flight or the peer's own handshake awaits our confirmation. */
export function ensureHandshake(step: Step, peer: Peer): void {
  if (peer.handshake === undefined && peer.next === undefined) startHandshake(step, peer);
}

/**
 * WireGuard §6.2: rekey by count on either side; by time, the initiator of the current keys
 * does it after rekeyAfterMs, and the responder only later as a fallback, so that the two
 * rarely start handshakes at once.
 */
export function rekeyDueMs(step: Step, keypair: Keypair): number {
  const { limits } = step.state;
  if (keypair.sendCounter >= limits.rekeyAfterMessages) return step.nowMs;
  const age = keypair.initiator ? limits.rekeyAfterMs : limits.rejectAfterMs - limits.keepaliveMs - limits.rekeyTimeoutMs;
  return keypair.createdMs + age;
}

export function maybeRekey(step: Step, peer: Peer): void {
  if (peer.current === undefined || peer.handshake !== undefined || peer.next !== undefined) return;
  if (step.nowMs >= rekeyDueMs(step, peer.current)) startHandshake(step, peer);
}

function keypairFor(peer: Peer, localIndex: number): Keypair | undefined {
  for (const keypair of [peer.current, peer.previous, peer.next]) if (keypair?.localIndex === localIndex) return keypair;
  return undefined;
}

export function receiveTransport(step: Step, packet: TransportPacket, from: SessionAddress): void {
  const { state } = step;
  const peer = state.peers.get(state.indexes.get(packet.receiverIndex) ?? '');
  const keypair = peer === undefined ? undefined : keypairFor(peer, packet.receiverIndex);
  if (peer === undefined || keypair === undefined) {
    throw new RendezvousError('SESSION_UNKNOWN_INDEX', `${packet.kind} packet for index ${packet.receiverIndex}`);
  }
  const plaintext = openTransport(keypair, packet, state.limits, step.nowMs);
  // Authenticated from here on.
  peer.lastReceivedMs = step.nowMs;
  step.touched.add(peer);
  if (keypair === peer.next) promoteNext(step, peer);
  if (keypair.finish !== undefined) delete keypair.finish;
  updateEndpoint(step, peer, from);
  if (packet.kind === 'close') {
    closePeer(step, peer, 'remote-close');
    return;
  }
  if (plaintext.length > 0) step.effects.push({ kind: 'deliver', peer: peer.id, payload: plaintext });
}

/** Local close: an authenticated close packet when keys allow, then the keys are forgotten. */
export function closeLocally(step: Step, peer: Peer): void {
  const { state, nowMs } = step;
  if (canSend(peer.current, state.limits, nowMs)) sendDatagram(step, peer, sealTransport(peer.current, 'close', EMPTY));
  closePeer(step, peer, 'local-close');
}
