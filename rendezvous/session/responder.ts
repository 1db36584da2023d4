import { equalBytes } from '../../names/index.ts';
import { RendezvousError } from '../errors.ts';
import { verifyStaticBinding } from '../noise/index.ts';
import { readIkInitiation, readXxFinish, writeIkResponse, writeXxResponse } from './handshake.ts';
import { createKeypair } from './keypair.ts';
import { checkMac1 } from './macs.ts';
import { encodeResponse, SESSION_EPOCH_BYTES, type FinishPacket, type InitiationPacket } from './packets.ts';
import { acceptRemoteEpoch, installKeypair, sendDatagram, sendKeepalive, setNext, updateEndpoint } from './peer.ts';
import { addressHost } from './rate-limiter.ts';
import { allocateIndex, halfOpenCount, log, newPeer, noteInitiationAndCheckLoad, staticKeyId, type Peer, type Step } from './state.ts';
import type { SessionAddress } from './types.ts';

/**
 * The responder's half. Every initiation goes through WireGuard's pipeline (whitepaper
 * §5.3, §5.4.7) before any Diffie-Hellman: exact length (decodeSessionPacket), mac1, then, under
 * load, mac2 from a cookie (else a cookie reply, no DH) and a per-source token bucket.
 */
export function receiveInitiation(step: Step, packet: InitiationPacket, from: SessionAddress): void {
  const { state, nowMs } = step;
  const keys = packet.kind === 'ikInitiation' ? state.ikMacKeys : state.xxMacKeys;
  if (!checkMac1(state.hash, keys.mac1, packet)) throw new RendezvousError('SESSION_BAD_MAC1', `${packet.kind}: mac1 does not match`);
  const tableFull = halfOpenCount(state) >= state.limits.halfOpenHandshakesMax;
  const underLoad = noteInitiationAndCheckLoad(state, nowMs) || tableFull;
  if (underLoad) {
    if (!state.cookies.checkMac2(packet, from, nowMs)) {
      step.effects.push({ kind: 'send', to: from, datagram: state.cookies.reply(keys.cookieReply, packet, from, nowMs) });
      log(step, 'SESSION_COOKIE_SENT', `${packet.kind} under load without a valid mac2: answered with a cookie`, { from });
      return;
    }
    if (!state.rateLimiter.allow(addressHost(from), nowMs)) throw new RendezvousError('SESSION_RATE_LIMITED', `${packet.kind} from ${from}`);
    if (tableFull) throw new RendezvousError('SESSION_TOO_MANY_HANDSHAKES', `${halfOpenCount(state)} half-open handshakes`);
  }
  if (packet.kind === 'ikInitiation') acceptIkInitiation(step, packet, from);
  else acceptXxInitiation(step, packet, from);
}

function acceptIkInitiation(step: Step, packet: InitiationPacket, from: SessionAddress): void {
  const { state, nowMs } = step;
  const { handshake, remoteStatic, binding, timestamp, epoch } = readIkInitiation(state.context, packet.noise);
  // WireGuard §5.1: the timestamp must grow, so a captured initiation cannot be replayed.
  if (!state.timestamps.isNewer(remoteStatic, timestamp)) {
    throw new RendezvousError('SESSION_REPLAYED_TIMESTAMP', 'IK initiation not newer than the last from this static key');
  }
  const existing = peerByStatic(step, remoteStatic);
  const verified = verifyStaticBinding(binding, remoteStatic, state.context.bindings, existing?.remoteIdentity);
  state.timestamps.record(remoteStatic, timestamp);
  const localIndex = allocateIndex(state);
  const peer = existing ?? newPeer(state, { id: freePeerId(step, remoteStatic, localIndex), endpoint: from, remoteStatic, remoteIdentity: verified.identityKey, announced: false }, nowMs);
  acceptRemoteEpoch(step, peer, epoch);
  const { noise, ciphers } = writeIkResponse(state.context, handshake, peer.localEpoch);
  setNext(step, peer, createKeypair(ciphers, { local: localIndex, remote: packet.senderIndex }, false, false, nowMs));
  updateEndpoint(step, peer, from);
  sendDatagram(step, peer, encodeResponse('ikResponse', localIndex, packet.senderIndex, noise));
}

function acceptXxInitiation(step: Step, packet: InitiationPacket, from: SessionAddress): void {
  const { state, nowMs } = step;
  expireXxResponding(step);
  // No peer yet (XX names nobody): the epoch is picked here and becomes the peer's at the finish.
  const localEpoch = state.rng.bytes(SESSION_EPOCH_BYTES);
  const { handshake, noise } = writeXxResponse(state.context, packet.noise, localEpoch);
  const localIndex = allocateIndex(state);
  state.xxResponding.set(localIndex, { handshake, remoteIndex: packet.senderIndex, endpoint: from, createdMs: nowMs, localEpoch });
  step.effects.push({ kind: 'send', to: from, datagram: encodeResponse('xxResponse', localIndex, packet.senderIndex, noise) });
}

/** Half-open XX handshakes live in creation order, so the expired ones are at the front. */
function expireXxResponding(step: Step): void {
  const lifetimeMs = 3 * step.state.limits.rekeyTimeoutMs;
  for (const [index, responding] of step.state.xxResponding) {
    if (step.nowMs - responding.createdMs < lifetimeMs) break;
    step.state.xxResponding.delete(index);
  }
}

export function receiveFinish(step: Step, packet: FinishPacket, from: SessionAddress): void {
  const { state, nowMs } = step;
  const responding = state.xxResponding.get(packet.receiverIndex);
  if (responding === undefined) {
    throw new RendezvousError(
      state.indexes.has(packet.receiverIndex) ? 'SESSION_UNEXPECTED_HANDSHAKE' : 'SESSION_UNKNOWN_INDEX',
      `no XX handshake waits on index ${packet.receiverIndex}`,
    );
  }
  const { ciphers, binding, epoch } = readXxFinish(state.context, responding.handshake, packet.noise);
  state.xxResponding.delete(packet.receiverIndex);
  const existing = peerByStatic(step, binding.staticKey);
  if (existing?.remoteIdentity !== undefined && !equalBytes(existing.remoteIdentity, binding.identityKey)) {
    throw new RendezvousError('NOISE_IDENTITY_MISMATCH', 'XX finish: static key already bound to another identity');
  }
  const peer =
    existing ??
    newPeer(state, { id: freePeerId(step, binding.staticKey, packet.receiverIndex), endpoint: from, remoteStatic: binding.staticKey, remoteIdentity: binding.identityKey, announced: false, localEpoch: responding.localEpoch }, nowMs);
  peer.localEpoch = responding.localEpoch; // what the initiator now holds as ours
  acceptRemoteEpoch(step, peer, epoch);
  updateEndpoint(step, peer, from);
  const keypair = createKeypair(ciphers, { local: packet.receiverIndex, remote: responding.remoteIndex }, false, true, nowMs);
  // The finish confirms our keys; answer at once so the initiator stops resending it.
  if (installKeypair(step, peer, keypair) === 0) sendKeepalive(step, peer);
}

function peerByStatic(step: Step, remoteStatic: Uint8Array): Peer | undefined {
  const id = step.state.peersByStatic.get(staticKeyId(remoteStatic));
  return id === undefined ? undefined : step.state.peers.get(id);
}

/** A new responder-side peer is named by its static key, unless an XX connect took that name. */
function freePeerId(step: Step, remoteStatic: Uint8Array, localIndex: number): string {
  const id = staticKeyId(remoteStatic);
  return step.state.peers.has(id) ? `${id}/${localIndex}` : id;
}
