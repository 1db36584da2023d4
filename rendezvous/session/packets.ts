import assert from 'node:assert/strict';
import { sessionDatagramBytesMax, sessionTagBytes, sessionTransportHeaderBytes } from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import { NOISE_DH_BYTES, NOISE_TAG_BYTES, STATIC_BINDING_BYTES } from '../noise/index.ts';
import { TIMESTAMP_BYTES } from './timestamp.ts';

/**
 * Session packet layouts (docs/PROTOCOL.md "Sessions"). Integers are big-endian. Every
 * handshake packet has one fixed size, so a length check is the first and cheapest filter.
 * Decoders return views into the datagram; they check sizes only, never cryptography.
 */
export const sessionPacketTypes = {
  ikInitiation: 0x01,
  ikResponse: 0x02,
  xxInitiation: 0x03,
  xxResponse: 0x04,
  xxFinish: 0x05,
  cookieReply: 0x06,
  transport: 0x07,
  close: 0x08,
} as const;
export type SessionPacketTypeName = keyof typeof sessionPacketTypes;

export const INDEX_BYTES = 4;
export const MAC_BYTES = 16;
export const COUNTER_BYTES = 8;
export const COOKIE_BYTES = 16;
export const COOKIE_NONCE_BYTES = 24;

const ENCRYPTED_STATIC_BYTES = NOISE_DH_BYTES + NOISE_TAG_BYTES;
/**
 * A session epoch: 8 random bytes a side picks for each session it starts with a peer and sends in
 * every handshake message of that session. A handshake whose epoch differs from the one the peer
 * sent before is not a rekey: the peer lost the session (it restarted, or closed and came back).
 */
export const SESSION_EPOCH_BYTES = 8;
/** Plaintext handshake payloads: the identity binding, the timestamp in an IK initiation, the epoch. */
export const IK_INITIATION_PAYLOAD_BYTES = STATIC_BINDING_BYTES + TIMESTAMP_BYTES + SESSION_EPOCH_BYTES;
export const IDENTITY_PAYLOAD_BYTES = STATIC_BINDING_BYTES + SESSION_EPOCH_BYTES;
/** XX message 1 is padded (zeros, as its Noise payload) to the size of the response it asks for. */
export const XX_INITIATION_PADDING_BYTES = 140;

/** Noise message sizes: -> e, es, s, ss | <- e, ee, se (IK); -> e | <- e, ee, s, es | -> s, se (XX). */
export const noiseMessageBytes = {
  ikInitiation: NOISE_DH_BYTES + ENCRYPTED_STATIC_BYTES + IK_INITIATION_PAYLOAD_BYTES + NOISE_TAG_BYTES,
  ikResponse: NOISE_DH_BYTES + IDENTITY_PAYLOAD_BYTES + NOISE_TAG_BYTES,
  xxInitiation: NOISE_DH_BYTES + XX_INITIATION_PADDING_BYTES,
  xxResponse: NOISE_DH_BYTES + ENCRYPTED_STATIC_BYTES + IDENTITY_PAYLOAD_BYTES + NOISE_TAG_BYTES,
  xxFinish: ENCRYPTED_STATIC_BYTES + IDENTITY_PAYLOAD_BYTES + NOISE_TAG_BYTES,
} as const;

/** Whole packet sizes. Initiations end in mac1 ‖ mac2; responses carry a sender and a receiver index. */
export const sessionPacketBytes = {
  ikInitiation: 1 + INDEX_BYTES + noiseMessageBytes.ikInitiation + 2 * MAC_BYTES,
  ikResponse: 1 + 2 * INDEX_BYTES + noiseMessageBytes.ikResponse,
  xxInitiation: 1 + INDEX_BYTES + noiseMessageBytes.xxInitiation + 2 * MAC_BYTES,
  xxResponse: 1 + 2 * INDEX_BYTES + noiseMessageBytes.xxResponse,
  xxFinish: 1 + INDEX_BYTES + noiseMessageBytes.xxFinish,
  cookieReply: 1 + INDEX_BYTES + COOKIE_NONCE_BYTES + COOKIE_BYTES + NOISE_TAG_BYTES,
  transportMin: sessionTransportHeaderBytes + sessionTagBytes,
} as const;

// Before the peer is authenticated, no answer may be larger than what asked for it.
assert.ok(sessionPacketBytes.ikResponse <= sessionPacketBytes.ikInitiation, 'session: IK response no larger than its initiation');
assert.ok(sessionPacketBytes.xxResponse <= sessionPacketBytes.xxInitiation, 'session: XX response no larger than its initiation');
assert.ok(sessionPacketBytes.cookieReply <= Math.min(sessionPacketBytes.ikInitiation, sessionPacketBytes.xxInitiation), 'session: cookie reply smallest');
assert.ok(sessionTransportHeaderBytes === 1 + INDEX_BYTES + COUNTER_BYTES, 'session: transport header layout');
assert.ok(Math.max(...Object.values(sessionPacketBytes)) <= sessionDatagramBytesMax, 'session: every handshake fits a datagram');

export type InitiationPacket = {
  kind: 'ikInitiation' | 'xxInitiation';
  senderIndex: number;
  noise: Uint8Array;
  mac1: Uint8Array;
  mac2: Uint8Array;
  /** The bytes mac1 covers, and the bytes mac2 covers (WireGuard msg_α and msg_β). */
  beforeMac1: Uint8Array;
  beforeMac2: Uint8Array;
};
export type ResponsePacket = { kind: 'ikResponse' | 'xxResponse'; senderIndex: number; receiverIndex: number; noise: Uint8Array };
export type FinishPacket = { kind: 'xxFinish'; receiverIndex: number; noise: Uint8Array };
export type CookieReplyPacket = { kind: 'cookieReply'; receiverIndex: number; nonce: Uint8Array; sealedCookie: Uint8Array };
export type TransportPacket = {
  kind: 'transport' | 'close';
  receiverIndex: number;
  counter: number;
  /** type ‖ receiver index ‖ counter: the AEAD's associated data. */
  header: Uint8Array;
  ciphertext: Uint8Array;
};
export type SessionPacket = InitiationPacket | ResponsePacket | FinishPacket | CookieReplyPacket | TransportPacket;

const typeNames = new Map<number, SessionPacketTypeName>(Object.entries(sessionPacketTypes).map(([name, type]) => [type, name as SessionPacketTypeName]));

/** Throws SESSION_OVERSIZED, SESSION_UNKNOWN_TYPE or SESSION_BAD_LENGTH. */
export function decodeSessionPacket(datagram: Uint8Array): SessionPacket {
  if (datagram.length > sessionDatagramBytesMax) throw new RendezvousError('SESSION_OVERSIZED', `datagram of ${datagram.length} bytes`);
  const kind = typeNames.get(datagram[0] ?? -1);
  if (kind === undefined) throw new RendezvousError('SESSION_UNKNOWN_TYPE', `packet type ${datagram[0] ?? 'missing'}`);
  if (kind === 'transport' || kind === 'close') return decodeTransport(kind, datagram);
  expectLength(kind, datagram, sessionPacketBytes[kind]);
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  switch (kind) {
    case 'ikInitiation':
    case 'xxInitiation': {
      const mac1At = datagram.length - 2 * MAC_BYTES;
      const mac2At = datagram.length - MAC_BYTES;
      return {
        kind,
        senderIndex: view.getUint32(1),
        noise: datagram.subarray(1 + INDEX_BYTES, mac1At),
        mac1: datagram.subarray(mac1At, mac2At),
        mac2: datagram.subarray(mac2At),
        beforeMac1: datagram.subarray(0, mac1At),
        beforeMac2: datagram.subarray(0, mac2At),
      };
    }
    case 'ikResponse':
    case 'xxResponse':
      return { kind, senderIndex: view.getUint32(1), receiverIndex: view.getUint32(5), noise: datagram.subarray(9) };
    case 'xxFinish':
      return { kind, receiverIndex: view.getUint32(1), noise: datagram.subarray(5) };
    case 'cookieReply':
      return {
        kind,
        receiverIndex: view.getUint32(1),
        nonce: datagram.subarray(5, 5 + COOKIE_NONCE_BYTES),
        sealedCookie: datagram.subarray(5 + COOKIE_NONCE_BYTES),
      };
  }
}

function decodeTransport(kind: 'transport' | 'close', datagram: Uint8Array): TransportPacket {
  // A close carries no plaintext, so it is exactly the minimum size.
  if (datagram.length < sessionPacketBytes.transportMin || (kind === 'close' && datagram.length !== sessionPacketBytes.transportMin)) {
    throw new RendezvousError('SESSION_BAD_LENGTH', `${kind} packet of ${datagram.length} bytes`);
  }
  // Read byte by byte: a DataView per packet is an allocation on the hot path.
  return {
    kind,
    receiverIndex: readUint32(datagram, 1),
    // Counters past 2^53 lose precision here, but every one of them is past rejectAfterMessages.
    counter: readUint32(datagram, 5) * 2 ** 32 + readUint32(datagram, 9),
    header: datagram.subarray(0, sessionTransportHeaderBytes),
    ciphertext: datagram.subarray(sessionTransportHeaderBytes),
  };
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

function expectLength(kind: SessionPacketTypeName, datagram: Uint8Array, length: number): void {
  if (datagram.length !== length) throw new RendezvousError('SESSION_BAD_LENGTH', `${kind} packet of ${datagram.length} bytes, expected ${length}`);
}

/** An initiation with zeroed mac1 and mac2, to be filled in by stampMacs (macs.ts). */
export function encodeInitiation(kind: 'ikInitiation' | 'xxInitiation', senderIndex: number, noise: Uint8Array): Uint8Array {
  assert.equal(noise.length, noiseMessageBytes[kind], `${kind}: noise message size`);
  const out = new Uint8Array(sessionPacketBytes[kind]);
  out[0] = sessionPacketTypes[kind];
  new DataView(out.buffer).setUint32(1, senderIndex);
  out.set(noise, 1 + INDEX_BYTES);
  return out;
}

export function encodeResponse(kind: 'ikResponse' | 'xxResponse', senderIndex: number, receiverIndex: number, noise: Uint8Array): Uint8Array {
  assert.equal(noise.length, noiseMessageBytes[kind], `${kind}: noise message size`);
  const out = new Uint8Array(sessionPacketBytes[kind]);
  out[0] = sessionPacketTypes[kind];
  const view = new DataView(out.buffer);
  view.setUint32(1, senderIndex);
  view.setUint32(5, receiverIndex);
  out.set(noise, 9);
  return out;
}

export function encodeFinish(receiverIndex: number, noise: Uint8Array): Uint8Array {
  assert.equal(noise.length, noiseMessageBytes.xxFinish, 'xxFinish: noise message size');
  const out = new Uint8Array(sessionPacketBytes.xxFinish);
  out[0] = sessionPacketTypes.xxFinish;
  new DataView(out.buffer).setUint32(1, receiverIndex);
  out.set(noise, 5);
  return out;
}

export function encodeCookieReply(receiverIndex: number, nonce: Uint8Array, sealedCookie: Uint8Array): Uint8Array {
  const out = new Uint8Array(sessionPacketBytes.cookieReply);
  out[0] = sessionPacketTypes.cookieReply;
  new DataView(out.buffer).setUint32(1, receiverIndex);
  out.set(nonce, 5);
  out.set(sealedCookie, 5 + COOKIE_NONCE_BYTES);
  return out;
}

/**
 * A transport or close packet: `seal` gets the header and returns header ‖ ciphertext ‖ tag.
 * The header is one scratch array reused for every packet (an allocation less per datagram),
 * valid only during the call: `seal` must copy it, as chachaSealPacket does.
 */
export function encodeTransport(kind: 'transport' | 'close', receiverIndex: number, counter: number, seal: (header: Uint8Array) => Uint8Array): Uint8Array {
  const header = SCRATCH_HEADER;
  header[0] = sessionPacketTypes[kind];
  writeUint32(header, 1, receiverIndex);
  writeUint32(header, 5, Math.floor(counter / 2 ** 32));
  writeUint32(header, 9, counter >>> 0);
  return seal(header);
}

const SCRATCH_HEADER = new Uint8Array(sessionTransportHeaderBytes);
