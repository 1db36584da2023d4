import { sessionCookieLatencyMs, sessionCookieSecretMs } from '../constants.ts';
import { IdentityMismatchError, RendezvousError } from '../errors.ts';
import type { HandshakeState } from '../noise/index.ts';
import { readIkResponse, writeIkInitiation, writeXxFinish, writeXxInitiation } from './handshake.ts';
import { canSend, createKeypair } from './keypair.ts';
import { openCookieReply, stampMacs } from './macs.ts';
import { encodeFinish, encodeInitiation, MAC_BYTES, type CookieReplyPacket, type ResponsePacket } from './packets.ts';
import { acceptRemoteEpoch, closePeer, installKeypair, sendDatagram, sendKeepalive, updateEndpoint } from './peer.ts';
import { allocateIndex, dropHandshake, learnRemoteStatic, nextTimestamp, type Peer, type PendingHandshake, type Step } from './state.ts';
import type { SessionAddress } from './types.ts';

/**
 * The initiator's half of the handshakes: sending (and resending) initiations, and taking
 * the responder's answer: a response, or a cookie reply when the responder is under load.
 */
export function startHandshake(step: Step, peer: Peer, attemptStartMs = step.nowMs): void {
  const { state, nowMs } = step;
  dropHandshake(state, peer);
  const localIndex = allocateIndex(state);
  const { handshake, packet, pattern } = writeInitiation(step, peer, localIndex);
  stampMacs(state.hash, packet, peer.macKeys.mac1, freshCookie(peer, nowMs));
  peer.handshake = { pattern, state: handshake, localIndex, packet, cookieResent: false, attemptStartMs, resendAtMs: resendAt(step) };
  state.indexes.set(localIndex, peer.id);
  sendDatagram(step, peer, packet);
}

/** IK when we know the responder's static key, XX otherwise; macs are stamped by the caller. */
function writeInitiation(step: Step, peer: Peer, localIndex: number): { handshake: HandshakeState; packet: Uint8Array; pattern: 'ik' | 'xx' } {
  const { state, nowMs } = step;
  if (peer.remoteStatic !== undefined) {
    const { handshake, noise } = writeIkInitiation(state.context, peer.remoteStatic, nextTimestamp(state, nowMs), peer.localEpoch);
    return { handshake, packet: encodeInitiation('ikInitiation', localIndex, noise), pattern: 'ik' };
  }
  const { handshake, noise } = writeXxInitiation(state.context);
  return { handshake, packet: encodeInitiation('xxInitiation', localIndex, noise), pattern: 'xx' };
}

/** WireGuard §6.4: retransmit after REKEY_TIMEOUT plus jitter, so two peers do not stay in lockstep. */
function resendAt(step: Step): number {
  const { limits, rng } = step.state;
  return step.nowMs + limits.rekeyTimeoutMs + rng.below(limits.rekeyTimeoutJitterMs + 1);
}

/** A cookie is used for mac2 while the responder's secret that made it can still be current. */
function freshCookie(peer: Peer, nowMs: number): Uint8Array | undefined {
  if (peer.cookie === undefined) return undefined;
  return nowMs - peer.cookie.receivedMs < sessionCookieSecretMs - sessionCookieLatencyMs ? peer.cookie.value : undefined;
}

/** The resend timer fired: a new initiation (new ephemeral, new timestamp), or give up. */
export function retryHandshake(step: Step, peer: Peer, pending: PendingHandshake): void {
  const { state, nowMs } = step;
  if (nowMs - pending.attemptStartMs < state.limits.rekeyAttemptMs) {
    startHandshake(step, peer, pending.attemptStartMs);
    return;
  }
  dropHandshake(state, peer);
  // Keys that still work keep the session alive; the rekey timer will try again.
  if (!canSend(peer.current, state.limits, nowMs)) closePeer(step, peer, 'handshake-timeout');
}

function pendingFor(step: Step, receiverIndex: number): { peer: Peer; pending: PendingHandshake } {
  const peer = step.state.peers.get(step.state.indexes.get(receiverIndex) ?? '');
  const pending = peer?.handshake;
  if (peer === undefined || pending === undefined || pending.localIndex !== receiverIndex) {
    throw new RendezvousError('SESSION_UNEXPECTED_HANDSHAKE', `no handshake of ours has index ${receiverIndex}`);
  }
  return { peer, pending };
}

export function receiveResponse(step: Step, packet: ResponsePacket, from: SessionAddress): void {
  const { peer, pending } = pendingFor(step, packet.receiverIndex);
  if ((packet.kind === 'ikResponse') !== (pending.pattern === 'ik')) {
    throw new RendezvousError('SESSION_UNEXPECTED_HANDSHAKE', `${packet.kind} for a pending ${pending.pattern} handshake`);
  }
  try {
    if (packet.kind === 'ikResponse') takeIkResponse(step, peer, pending, packet, from);
    else takeXxResponse(step, peer, pending, packet, from);
  } catch (error) {
    // The responder holds the static key (the Noise message authenticated) but proved the
    // wrong identity: that is an answer, and the session cannot go on.
    if (error instanceof IdentityMismatchError) closePeer(step, peer, 'identity-mismatch', error.presentedIdentityKey);
    else if (error instanceof RendezvousError && error.code === 'NOISE_BAD_BINDING') closePeer(step, peer, 'bad-binding');
    throw error;
  }
}

function takeIkResponse(step: Step, peer: Peer, pending: PendingHandshake, packet: ResponsePacket, from: SessionAddress): void {
  const { ciphers, binding, epoch } = readIkResponse(step.state.context, pending.state, packet.noise, peer.remoteIdentity);
  peer.handshake = undefined; // its index now belongs to the keypair
  peer.remoteIdentity = binding.identityKey;
  acceptRemoteEpoch(step, peer, epoch);
  updateEndpoint(step, peer, from);
  const keypair = createKeypair(ciphers, { local: pending.localIndex, remote: packet.senderIndex }, true, true, step.nowMs);
  // The responder waits for our first packet before it uses the keys: confirm at once.
  if (installKeypair(step, peer, keypair) === 0) sendKeepalive(step, peer);
}

function takeXxResponse(step: Step, peer: Peer, pending: PendingHandshake, packet: ResponsePacket, from: SessionAddress): void {
  const { noise, ciphers, binding, epoch } = writeXxFinish(step.state.context, pending.state, packet.noise, peer.remoteIdentity, peer.localEpoch);
  peer.handshake = undefined;
  learnRemoteStatic(step.state, peer, binding.staticKey);
  peer.remoteIdentity = binding.identityKey;
  acceptRemoteEpoch(step, peer, epoch);
  updateEndpoint(step, peer, from);
  const keypair = createKeypair(ciphers, { local: pending.localIndex, remote: packet.senderIndex }, true, true, step.nowMs);
  const finish = encodeFinish(packet.senderIndex, noise);
  keypair.finish = { packet: finish, resendAtMs: resendAt(step) };
  sendDatagram(step, peer, finish);
  installKeypair(step, peer, keypair);
}

/** XX: resend message 3 until a packet arrives under the new keys. */
export function resendFinish(step: Step, peer: Peer): void {
  const keypair = peer.current;
  if (keypair?.finish === undefined) return;
  if (step.nowMs - keypair.createdMs >= step.state.limits.rekeyAttemptMs) {
    closePeer(step, peer, 'handshake-timeout');
    return;
  }
  keypair.finish.resendAtMs = resendAt(step);
  sendDatagram(step, peer, keypair.finish.packet);
}

/**
 * The responder is under load and wants mac2: keep the cookie, and resend this initiation
 * once with it (the responder did no DH, so the same timestamp is still fresh).
 */
export function receiveCookieReply(step: Step, packet: CookieReplyPacket): void {
  const { peer, pending } = pendingFor(step, packet.receiverIndex);
  const mac1At = pending.packet.length - 2 * MAC_BYTES;
  const cookie = openCookieReply(peer.macKeys.cookieReply, packet, pending.packet.subarray(mac1At, mac1At + MAC_BYTES));
  peer.cookie = { value: cookie, receivedMs: step.nowMs };
  if (pending.cookieResent) return;
  pending.cookieResent = true;
  pending.packet = stampMacs(step.state.hash, new Uint8Array(pending.packet), peer.macKeys.mac1, cookie);
  sendDatagram(step, peer, pending.packet);
}
