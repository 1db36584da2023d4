import { concatBytes, expectBytes } from '../../names/index.ts';
import { relayHeaderBytes, relayTokenBytes } from '../constants.ts';
import { RendezvousError } from '../errors.ts';

/**
 * Relay datagrams (docs/PROTOCOL.md "Relay datagrams"): `0x52 ‖ token (16) ‖ payload`.
 * Towards the agent the token is the sender's; from the agent it is the receiver's, so each
 * side only ever sees its own token. The payload is opaque to the agent: it is the wallets'
 * own session datagram, encrypted end to end.
 */
export const relayPacketType = 0x52;

export function encodeRelayPacket(token: Uint8Array, payload: Uint8Array): Uint8Array {
  expectBytes(token, relayTokenBytes, 'relay token');
  return concatBytes(Uint8Array.of(relayPacketType), token, payload);
}

/** Views into `bytes`; throws RELAY_BAD_PACKET when it is not a relay datagram. */
export function decodeRelayPacket(bytes: Uint8Array): { token: Uint8Array; payload: Uint8Array } {
  if (bytes.length < relayHeaderBytes || bytes[0] !== relayPacketType) {
    throw new RendezvousError('RELAY_BAD_PACKET', `relay: ${bytes.length} bytes, first 0x${(bytes[0] ?? 0).toString(16)}`);
  }
  return { token: bytes.subarray(1, relayHeaderBytes), payload: bytes.subarray(relayHeaderBytes) };
}

/** What a datagram on a wallet's or agent's UDP socket is, by its first byte. */
export type DatagramClass = 'session' | 'punch' | 'relay' | 'message' | 'unknown';

/**
 * The socket shell's demultiplexer: session packets (types 0x01–0x08, rendezvous/session),
 * punch probes and acks (0x50, 0x51), relay datagrams (0x52), and plain msgpack messages
 * (a fixmap, 0x80–0x8f: the NAT probes and their replies).
 */
export function classifyDatagram(bytes: Uint8Array): DatagramClass {
  const first = bytes[0];
  if (first === undefined) return 'unknown';
  if (first >= 0x01 && first <= 0x08) return 'session';
  if (first === 0x50 || first === 0x51) return 'punch';
  if (first === relayPacketType) return 'relay';
  if (first >= 0x80 && first <= 0x8f) return 'message';
  return 'unknown';
}
