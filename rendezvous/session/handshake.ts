import { concatBytes, SCHNORR_SIGNATURE_BYTES, X_ONLY_PUBLIC_KEY_BYTES } from '../../names/index.ts';
import { RendezvousError } from '../errors.ts';
import {
  HandshakeState,
  verifyStaticBinding,
  type BindingCache,
  type NoiseKeyPair,
  type NoiseProtocol,
  type StaticBinding,
  type TransportCiphers,
  type VerifiedBinding,
} from '../noise/index.ts';
import { IDENTITY_PAYLOAD_BYTES, IK_INITIATION_PAYLOAD_BYTES, SESSION_EPOCH_BYTES, XX_INITIATION_PADDING_BYTES } from './packets.ts';
import type { StaticDhCache } from './static-dh.ts';
import { TIMESTAMP_BYTES } from './timestamp.ts';

/**
 * The Noise side of the session handshakes: which payload each message carries and what is
 * checked on receipt. IK (initiator knows the responder's static key):
 *   -> e, es, s, ss   payload: identity binding ‖ TAI64N timestamp ‖ epoch
 *   <- e, ee, se      payload: identity binding ‖ epoch
 * XX (neither knows the other):
 *   -> e              payload: zero padding, so the response is no larger than the request
 *   <- e, ee, s, es   payload: identity binding ‖ epoch
 *   -> s, se          payload: identity binding ‖ epoch
 * The epoch (packets.ts SESSION_EPOCH_BYTES) tells a rekey from a peer that lost the session.
 * The prologue names this protocol and version, so a handshake cannot be replayed into another.
 */
export const SESSION_PROLOGUE = new TextEncoder().encode('parley session v1');

export type HandshakeContext = {
  ik: NoiseProtocol;
  xx: NoiseProtocol;
  staticKeyPair: NoiseKeyPair;
  binding: StaticBinding;
  dh: StaticDhCache;
  bindings: BindingCache;
};

export function encodeIdentityPayload(binding: StaticBinding, epoch: Uint8Array, timestamp?: Uint8Array): Uint8Array {
  return timestamp === undefined ? concatBytes(binding.identityKey, binding.signature, epoch) : concatBytes(binding.identityKey, binding.signature, timestamp, epoch);
}

export function decodeIdentityPayload(payload: Uint8Array, withTimestamp: boolean): { binding: StaticBinding; timestamp: Uint8Array; epoch: Uint8Array } {
  const expected = withTimestamp ? IK_INITIATION_PAYLOAD_BYTES : IDENTITY_PAYLOAD_BYTES;
  if (payload.length !== expected) throw new RendezvousError('SESSION_BAD_PAYLOAD', `handshake payload of ${payload.length} bytes, expected ${expected}`);
  const signatureEnd = X_ONLY_PUBLIC_KEY_BYTES + SCHNORR_SIGNATURE_BYTES;
  const timestampEnd = signatureEnd + (withTimestamp ? TIMESTAMP_BYTES : 0);
  return {
    binding: { identityKey: payload.slice(0, X_ONLY_PUBLIC_KEY_BYTES), signature: payload.slice(X_ONLY_PUBLIC_KEY_BYTES, signatureEnd) },
    timestamp: payload.slice(signatureEnd, timestampEnd),
    epoch: payload.slice(timestampEnd, timestampEnd + SESSION_EPOCH_BYTES),
  };
}

function newHandshake(context: HandshakeContext, protocol: NoiseProtocol, initiator: boolean, remoteStatic?: Uint8Array): HandshakeState {
  return new HandshakeState({ protocol, initiator, prologue: SESSION_PROLOGUE, localStatic: context.staticKeyPair, remoteStatic, dh: context.dh });
}

function remoteStaticOf(handshake: HandshakeState): Uint8Array {
  const key = handshake.remoteStaticKey;
  if (key === undefined) throw new Error('invariant: the pattern delivered the remote static key');
  return key;
}

// ── IK ──────────────────────────────────────────────────────────────────────

export function writeIkInitiation(context: HandshakeContext, remoteStatic: Uint8Array, timestamp: Uint8Array, epoch: Uint8Array): { handshake: HandshakeState; noise: Uint8Array } {
  const handshake = newHandshake(context, context.ik, true, remoteStatic);
  return { handshake, noise: handshake.writeMessage(encodeIdentityPayload(context.binding, epoch, timestamp)) };
}

/** Responder: reads message 1. The binding is returned unverified so the cheap timestamp check can run first. */
export function readIkInitiation(
  context: HandshakeContext,
  noise: Uint8Array,
): { handshake: HandshakeState; remoteStatic: Uint8Array; binding: StaticBinding; timestamp: Uint8Array; epoch: Uint8Array } {
  const handshake = newHandshake(context, context.ik, false);
  const { binding, timestamp, epoch } = decodeIdentityPayload(handshake.readMessage(noise), true);
  return { handshake, remoteStatic: remoteStaticOf(handshake), binding, timestamp, epoch };
}

export function writeIkResponse(context: HandshakeContext, handshake: HandshakeState, epoch: Uint8Array): { noise: Uint8Array; ciphers: TransportCiphers } {
  const noise = handshake.writeMessage(encodeIdentityPayload(context.binding, epoch));
  return { noise, ciphers: handshake.split() };
}

export function readIkResponse(
  context: HandshakeContext,
  handshake: HandshakeState,
  noise: Uint8Array,
  expectedIdentity: Uint8Array | undefined,
): { ciphers: TransportCiphers; binding: VerifiedBinding; epoch: Uint8Array } {
  const { binding, epoch } = decodeIdentityPayload(handshake.readMessage(noise), false);
  const verified = verifyStaticBinding(binding, remoteStaticOf(handshake), context.bindings, expectedIdentity);
  return { ciphers: handshake.split(), binding: verified, epoch };
}

// ── XX ──────────────────────────────────────────────────────────────────────

export function writeXxInitiation(context: HandshakeContext): { handshake: HandshakeState; noise: Uint8Array } {
  const handshake = newHandshake(context, context.xx, true);
  return { handshake, noise: handshake.writeMessage(new Uint8Array(XX_INITIATION_PADDING_BYTES)) };
}

/** Responder: reads message 1 (no DH) and writes message 2 (the DH an initiation costs). */
export function writeXxResponse(context: HandshakeContext, initiation: Uint8Array, epoch: Uint8Array): { handshake: HandshakeState; noise: Uint8Array } {
  const handshake = newHandshake(context, context.xx, false);
  const padding = handshake.readMessage(initiation);
  if (padding.length !== XX_INITIATION_PADDING_BYTES || padding.some((byte) => byte !== 0)) {
    throw new RendezvousError('SESSION_BAD_PAYLOAD', 'XX initiation padding is not all zero');
  }
  return { handshake, noise: handshake.writeMessage(encodeIdentityPayload(context.binding, epoch)) };
}

/** Initiator: reads message 2, checks the responder's binding, writes message 3. */
export function writeXxFinish(
  context: HandshakeContext,
  handshake: HandshakeState,
  response: Uint8Array,
  expectedIdentity: Uint8Array | undefined,
  epoch: Uint8Array,
): { noise: Uint8Array; ciphers: TransportCiphers; binding: VerifiedBinding; epoch: Uint8Array } {
  const { binding, epoch: remoteEpoch } = decodeIdentityPayload(handshake.readMessage(response), false);
  const verified = verifyStaticBinding(binding, remoteStaticOf(handshake), context.bindings, expectedIdentity);
  const noise = handshake.writeMessage(encodeIdentityPayload(context.binding, epoch));
  return { noise, ciphers: handshake.split(), binding: verified, epoch: remoteEpoch };
}

export function readXxFinish(context: HandshakeContext, handshake: HandshakeState, finish: Uint8Array): { ciphers: TransportCiphers; binding: VerifiedBinding; epoch: Uint8Array } {
  const { binding, epoch } = decodeIdentityPayload(handshake.readMessage(finish), false);
  const verified = verifyStaticBinding(binding, remoteStaticOf(handshake), context.bindings);
  return { ciphers: handshake.split(), binding: verified, epoch };
}
