import { equalBytes } from '../../names/index.ts';
import { canSend, sealTransport, type Keypair } from './keypair.ts';
import { dropKeypair, removePeer, type Peer, type Step } from './state.ts';
import type { SessionAddress, SessionCloseReason } from './types.ts';

/**
 * Operations on one peer's keys and queue that the other session modules share. Keys rotate
 * as in WireGuard (whitepaper §6.2): `current` sends, `previous` still receives packets in
 * flight from before a rekey, and a responder's `next` waits for key confirmation.
 */
const EMPTY = new Uint8Array(0);

export function sendDatagram(step: Step, peer: Peer, datagram: Uint8Array): void {
  step.effects.push({ kind: 'send', to: peer.endpoint, datagram, peer: peer.id });
  peer.lastSentMs = step.nowMs;
  step.touched.add(peer);
}

/** Seals under `keypair` and sends; the caller has checked canSend. */
export function sendSealed(step: Step, peer: Peer, keypair: Keypair, payload: Uint8Array): void {
  sendDatagram(step, peer, sealTransport(keypair, 'transport', payload));
}

export function sendKeepalive(step: Step, peer: Peer): void {
  if (canSend(peer.current, step.state.limits, step.nowMs)) sendSealed(step, peer, peer.current, EMPTY);
}

/** Sends what waited for keys, oldest first; returns how many went out. */
export function flushQueue(step: Step, peer: Peer): number {
  let sent = 0;
  while (peer.queue.length > 0 && canSend(peer.current, step.state.limits, step.nowMs)) {
    sendSealed(step, peer, peer.current, peer.queue.shift()!);
    sent++;
  }
  return sent;
}

/**
 * New keys from a handshake: previous ← current ← keypair; the layer above hears of it
 * (established, or rekeyed). Returns how many queued payloads went out under the new keys.
 */
export function installKeypair(step: Step, peer: Peer, keypair: Keypair): number {
  const { state } = step;
  dropKeypair(state, peer.previous);
  peer.previous = peer.current;
  peer.current = keypair;
  state.indexes.set(keypair.localIndex, peer.id);
  peer.generation++;
  if (!peer.established) markEstablished(step, peer);
  else step.effects.push({ kind: 'rekeyed', peer: peer.id, generation: peer.generation });
  step.touched.add(peer);
  return flushQueue(step, peer);
}

/**
 * The epoch of a handshake the peer sent. Another epoch than its last one means the peer lost
 * the session (it restarted, or closed and came back) rather than rekeyed: the layer above
 * drops the connection it has (its channel state belongs to the lost session), the old keys go,
 * and when the new keys are installed it hears of an established session again.
 */
export function acceptRemoteEpoch(step: Step, peer: Peer, epoch: Uint8Array): void {
  const known = peer.remoteEpoch;
  peer.remoteEpoch = epoch;
  if (known === undefined || equalBytes(known, epoch) || !peer.established) return;
  peer.established = false;
  peer.queue = [];
  // The lost session's keys: nothing sent under them can be for the new session.
  dropKeypair(step.state, peer.previous);
  dropKeypair(step.state, peer.current);
  peer.previous = undefined;
  peer.current = undefined;
  step.effects.push({ kind: 'closed', peer: peer.id, reason: 'peer-restarted' });
  step.touched.add(peer);
}

/** A responder's keys wait in `next` until the initiator sends under them. */
export function setNext(step: Step, peer: Peer, keypair: Keypair): void {
  const { state } = step;
  dropKeypair(state, peer.next);
  peer.next = keypair;
  state.indexes.set(keypair.localIndex, peer.id);
  state.unconfirmed.add(keypair.localIndex);
  step.touched.add(peer);
}

/** The initiator used `next`: it is confirmed and becomes current. */
export function promoteNext(step: Step, peer: Peer): void {
  const keypair = peer.next;
  if (keypair === undefined) return;
  peer.next = undefined;
  step.state.unconfirmed.delete(keypair.localIndex);
  keypair.confirmed = true;
  installKeypair(step, peer, keypair);
}

function markEstablished(step: Step, peer: Peer): void {
  if (peer.remoteStatic === undefined || peer.remoteIdentity === undefined) throw new Error('invariant: an established peer has proven keys');
  peer.established = true;
  peer.announced = true;
  step.effects.push({
    kind: 'established',
    peer: peer.id,
    address: peer.endpoint,
    remoteStaticKey: new Uint8Array(peer.remoteStatic),
    remoteIdentityKey: new Uint8Array(peer.remoteIdentity),
  });
}

/** Roaming: an authenticated packet from a new source moves the peer there. */
export function updateEndpoint(step: Step, peer: Peer, from: SessionAddress): void {
  if (peer.endpoint === from) return;
  peer.endpoint = from;
  if (peer.established) step.effects.push({ kind: 'endpoint', peer: peer.id, address: from });
}

/**
 * Ends a session and forgets its keys. A peer the layer above never heard of (responder keys
 * that were never confirmed) goes silently.
 */
export function closePeer(step: Step, peer: Peer, reason: SessionCloseReason, presentedIdentityKey?: Uint8Array): void {
  removePeer(step.state, peer);
  if (!peer.announced) return;
  step.effects.push(presentedIdentityKey === undefined ? { kind: 'closed', peer: peer.id, reason } : { kind: 'closed', peer: peer.id, reason, presentedIdentityKey });
}
