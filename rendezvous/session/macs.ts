import { equalBytes, NamesError, xchachaOpen, xchachaSeal, type Rng } from '../../names/index.ts';
import { sessionCookieSecretMs } from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import type { NoiseHash } from '../noise/index.ts';
import { COOKIE_NONCE_BYTES, encodeCookieReply, MAC_BYTES, type CookieReplyPacket, type InitiationPacket } from './packets.ts';

/**
 * WireGuard's DoS defences (whitepaper §5.4.4, §5.4.7), with HMAC-HASH truncated to 16 bytes
 * in place of keyed BLAKE2s, and Parley's own labels:
 * - mac1 = MAC(HASH("parley/mac1" ‖ responder static), packet up to mac1): checked before
 *   any DH, it proves the sender knows the responder's public key.
 * - cookie = MAC(secret rotating every 2 min, source address); under load a responder
 *   answers an initiation without a valid mac2 with the cookie, sealed, instead of doing DH.
 * - mac2 = MAC(cookie, packet up to mac2): proves the initiator receives at its source address.
 * An XX initiator does not know the responder's static key, so its mac1 key uses 32 zero
 * bytes in its place: no authentication, but the cookie round trip still applies.
 */
const encoder = new TextEncoder();
const LABEL_MAC1 = encoder.encode('parley/mac1');
const LABEL_COOKIE = encoder.encode('parley/cookie');
const NO_STATIC = new Uint8Array(32);
const ZERO_MAC = new Uint8Array(MAC_BYTES);

export type MacKeys = { mac1: Uint8Array; cookieReply: Uint8Array };

/** The keys for initiations to a responder whose static key is `responderStatic` (undefined for XX). */
export function macKeys(hash: NoiseHash, responderStatic: Uint8Array | undefined): MacKeys {
  return { mac1: hash.hash(LABEL_MAC1, responderStatic ?? NO_STATIC), cookieReply: hash.hash(LABEL_COOKIE, responderStatic ?? NO_STATIC) };
}

export function mac(hash: NoiseHash, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hash.hmac(key, data).subarray(0, MAC_BYTES);
}

/** Fills mac1 and mac2 of an encoded initiation in place; mac2 stays zero without a cookie. */
export function stampMacs(hash: NoiseHash, packet: Uint8Array, mac1Key: Uint8Array, cookie: Uint8Array | undefined): Uint8Array {
  const mac1At = packet.length - 2 * MAC_BYTES;
  const mac2At = packet.length - MAC_BYTES;
  packet.set(mac(hash, mac1Key, packet.subarray(0, mac1At)), mac1At);
  packet.set(cookie === undefined ? ZERO_MAC : mac(hash, cookie, packet.subarray(0, mac2At)), mac2At);
  return packet;
}

export function checkMac1(hash: NoiseHash, mac1Key: Uint8Array, initiation: InitiationPacket): boolean {
  return equalBytes(mac(hash, mac1Key, initiation.beforeMac1), initiation.mac1);
}

/** The responder's side of the cookie: a rotating secret, checking mac2, sealing replies. */
export class CookieJar {
  readonly hash: NoiseHash;
  #rng: Rng;
  #secret: Uint8Array;
  #secretCreatedMs: number;

  constructor(hash: NoiseHash, rng: Rng, nowMs: number) {
    this.hash = hash;
    this.#rng = rng;
    this.#secret = rng.bytes(32);
    this.#secretCreatedMs = nowMs;
  }

  cookieFor(address: string, nowMs: number): Uint8Array {
    if (nowMs - this.#secretCreatedMs >= sessionCookieSecretMs) {
      this.#secret.fill(0);
      this.#secret = this.#rng.bytes(32);
      this.#secretCreatedMs = nowMs;
    }
    return mac(this.hash, this.#secret, encoder.encode(address));
  }

  checkMac2(initiation: InitiationPacket, address: string, nowMs: number): boolean {
    return equalBytes(mac(this.hash, this.cookieFor(address, nowMs), initiation.beforeMac2), initiation.mac2);
  }

  /** The cookie reply: XChaCha20-Poly1305 under the cookie key, with the initiation's mac1 as AD. */
  reply(cookieReplyKey: Uint8Array, initiation: InitiationPacket, address: string, nowMs: number): Uint8Array {
    const nonce = this.#rng.bytes(COOKIE_NONCE_BYTES);
    const sealed = xchachaSeal(cookieReplyKey, nonce, this.cookieFor(address, nowMs), initiation.mac1);
    return encodeCookieReply(initiation.senderIndex, nonce, sealed);
  }
}

/** The initiator's side: the cookie from a reply to the initiation whose mac1 was `lastMac1`. */
export function openCookieReply(cookieReplyKey: Uint8Array, packet: CookieReplyPacket, lastMac1: Uint8Array): Uint8Array {
  try {
    return xchachaOpen(cookieReplyKey, packet.nonce, packet.sealedCookie, lastMac1);
  } catch (error) {
    if (error instanceof NamesError) throw new RendezvousError('SESSION_BAD_COOKIE_REPLY', 'cookie reply does not open', { cause: error });
    throw error;
  }
}
