import { ParleyError } from '../names/index.ts';

/**
 * Expected failures of rendezvous/, one stable `code` each, grouped by layer
 * (wire codecs → noise → session → reliable channel → punch → socket).
 * Each layer lists its codes in a `const` array so tests and fuzzers can check
 * that an error's code is one the layer is allowed to produce.
 */

// ── Wire codec (rendezvous/wire/) ────────────────────────────────────────────
export const wireErrorCodes = [
  // limits, checked by the structural pre-scan before msgpackr sees the bytes
  'TOO_LARGE', // the encoded message exceeds wireMessageBytesMax
  'TOO_DEEP', // containers nested deeper than wireDepthMax
  'TOO_MANY_ELEMENTS', // more values in total than wireElementCountMax
  'ARRAY_TOO_LONG',
  'MAP_TOO_LARGE',
  'STRING_TOO_LONG', // a string value or a map key
  'BYTES_TOO_LONG',
  // msgpack structure
  'TRUNCATED', // the bytes end inside a value
  'TRAILING_BYTES', // bytes left over after the one top-level value
  'MALFORMED', // 0xc1, invalid UTF-8
  'FORBIDDEN_TYPE', // ext and timestamp types, floats, non-string map keys
  'DUPLICATE_KEY',
  // envelope { v, type, ...fields }
  'NOT_AN_ENVELOPE',
  'UNKNOWN_VERSION',
  'UNKNOWN_TYPE',
  // per-type fields
  'BAD_FIELD',
  'MISSING_FIELD',
  'UNKNOWN_FIELD',
] as const;
export type WireErrorCode = (typeof wireErrorCodes)[number];

// ── Noise (rendezvous/noise/): codes are added here by that layer ───────────
export const noiseErrorCodes = [
  'NOISE_UNSUPPORTED_PROTOCOL', // a protocol name this implementation does not speak
  'NOISE_MISSING_KEY', // the pattern needs a static or remote static key that was not given
  'NOISE_OUT_OF_TURN', // write when it is the peer's turn, or after the handshake is complete
  'NOISE_BAD_MESSAGE_LENGTH', // a handshake message shorter than its tokens, or over 65535 bytes
  'NOISE_DECRYPT_FAILED', // an AEAD tag did not verify
  'NOISE_BAD_POINT', // a low-order public key gave an all-zero shared secret
  'NOISE_NONCE_EXHAUSTED', // a CipherState reached its last nonce
  // identity binding: the Noise static key signed by the secp256k1 identity
  'NOISE_BAD_BINDING', // the Schnorr signature over the binding does not verify
  'NOISE_IDENTITY_MISMATCH', // a valid binding, but not to the identity we expected
] as const;
export type NoiseErrorCode = (typeof noiseErrorCodes)[number];

// ── Session (rendezvous/session/): codes are added here by that layer ───────
export const sessionErrorCodes = [
  // packet framing
  'SESSION_OVERSIZED', // a datagram over sessionDatagramBytesMax
  'SESSION_UNKNOWN_TYPE', // an unknown packet type byte
  'SESSION_BAD_LENGTH', // a packet whose length does not fit its type's layout
  'SESSION_BAD_PAYLOAD', // a handshake payload that is not the fixed identity layout
  // DoS defences on handshake packets
  'SESSION_BAD_MAC1',
  'SESSION_BAD_MAC2',
  'SESSION_COOKIE_SENT', // under load and no valid mac2: answered with a cookie reply, no DH
  'SESSION_RATE_LIMITED', // the source's token bucket is empty
  'SESSION_TOO_MANY_HANDSHAKES', // the half-open handshake table is full
  'SESSION_BAD_COOKIE_REPLY',
  'SESSION_REPLAYED_TIMESTAMP', // an IK initiation not newer than the last one from that static key
  // transport packets
  'SESSION_UNKNOWN_INDEX', // a receiver index that names no session of ours
  'SESSION_UNEXPECTED_HANDSHAKE', // a response or finish for a handshake we are not waiting on
  'SESSION_REPLAYED', // a counter already seen in the replay window
  'SESSION_TOO_OLD', // a counter behind the replay window
  'SESSION_DECRYPT_FAILED', // the transport AEAD tag did not verify
  'SESSION_KEYS_EXPIRED', // keys past rejectAfterTime or rejectAfterMessages
  'SESSION_QUEUE_FULL', // no keys to send with and the wait queue is full: the oldest payload is dropped
  // local API misuse, thrown to the caller
  'SESSION_PAYLOAD_TOO_LARGE',
  'SESSION_UNKNOWN_PEER',
  'SESSION_BAD_CONFIG',
] as const;
export type SessionErrorCode = (typeof sessionErrorCodes)[number];

// ── Reliable channel (rendezvous/channel/) ──────────────────────────────────
export const channelErrorCodes = [
  // local API, returned or thrown to the caller
  'CHANNEL_QUEUE_FULL', // send() refused: the send queue (queued + unacknowledged bytes) is at its limit
  'CHANNEL_MESSAGE_TOO_LARGE', // a message over channelMessageBytesMax
  'CHANNEL_DATAGRAM_TOO_LARGE', // an unreliable datagram that does not fit one channel datagram
  'CHANNEL_CLOSED', // send after close() or after the channel failed
  'CHANNEL_BAD_CONFIG',
  // from the network: the datagram is dropped with one of these logged, never thrown
  'CHANNEL_EMPTY_DATAGRAM',
  'CHANNEL_OVERSIZED_DATAGRAM', // longer than this channel's datagram payload limit
  'CHANNEL_TRUNCATED_FRAME', // the datagram ends inside a frame
  'CHANNEL_BAD_VARINT', // a varint above 2^53 − 1
  'CHANNEL_UNKNOWN_FRAME', // an unknown frame type byte
  'CHANNEL_BAD_ACK', // ranges out of order, too many, or acknowledging fragments never sent
  'CHANNEL_BAD_FRAGMENT', // a declared message length over the limit, or a fragment longer than its message
  'CHANNEL_BEYOND_WINDOW', // a fragment past the receive window this side advertised
  // the peer broke the fragment sequence (it is authenticated, so this is a bug or an attack):
  // the channel fails and delivers nothing more
  'CHANNEL_PROTOCOL_VIOLATION',
] as const;
export type ChannelErrorCode = (typeof channelErrorCodes)[number];

// ── Datagram transports (rendezvous/net/) ───────────────────────────────────
// Logged by the UDP socket and the in-memory network, never thrown from send().
export const netErrorCodes = [
  'NET_SEND_AFTER_CLOSE',
  'NET_DATAGRAM_TOO_LARGE', // over netDatagramBytesMax
  'NET_BAD_ADDRESS', // not `host:port` / `[v6]:port`
  'NET_SEND_FAILED', // the operating system refused the datagram
  'NET_SOCKET_ERROR', // an 'error' event on the socket
  'NET_BIND_FAILED', // thrown by openUdpTransport: the one network failure a caller must see
  'NET_NATIVE_FALLBACK', // the batched native UDP path (or its GSO) was turned off; node:dgram carries on
] as const;
export type NetErrorCode = (typeof netErrorCodes)[number];

// ── Hole punching and rendezvous, client side (rendezvous/punch/) ───────────
// Packets from the network are dropped with one of these logged, never thrown.
export const punchErrorCodes = [
  'PUNCH_BAD_LENGTH', // a punch packet that is not exactly punchPacketBytes long
  'PUNCH_UNKNOWN_TYPE', // a first byte that is neither probe (0x50) nor ack (0x51)
  'PUNCH_BAD_FLAGS', // reserved flag bits set
  'PUNCH_WRONG_SESSION', // a session id of another introduction
  'PUNCH_BAD_MAC', // the MAC does not verify under this introduction's secret: forged or corrupt
  'PUNCH_REFLECTED', // a packet with our own role bit: our own probe came back
  'PUNCH_UNEXPECTED_ACK', // an ack for a probe we never sent to that address from that socket
  'PUNCH_TARGETS_FULL', // a probe from a new address when punchTargetsMax are already probed
  'PUNCH_BAD_ADDRESS', // an address from the agent that does not parse as host:port
  'PUNCH_BAD_INPUT', // thrown to the caller: a session id, secret or profile of the wrong shape
  'RELAY_BAD_PACKET', // a relay datagram shorter than its header
  'RELAY_UNKNOWN_TOKEN', // a relay datagram for no relay this side holds
  'NAT_PROBE_UNEXPECTED', // a nat-probe-reply with a nonce we are not waiting for
  'NAT_PROBE_BAD_REPLY', // a nat-probe-reply whose observed address does not parse
  'RENDEZVOUS_UNEXPECTED_MESSAGE', // an agent message for no pending request (late, duplicated)
] as const;
export type PunchErrorCode = (typeof punchErrorCodes)[number];

// ── Socket shell (rendezvous/socket/) ───────────────────────────────────────
export const socketErrorCodes = [
  // thrown to the caller (connect, send)
  'SOCKET_CONNECT_TIMEOUT', // no handshake answer within the connect timeout
  'SOCKET_IDENTITY_MISMATCH', // the peer proved another identity than the one asked for (IdentityMismatchError)
  'SOCKET_BAD_BINDING', // the peer's signature binding its static key to its identity does not verify
  'SOCKET_TOO_MANY_CONNECTIONS', // connectionsMax or pendingConnectsMax reached
  'SOCKET_CLOSED', // the connection or the endpoint is closed
  'SOCKET_BAD_CONFIG', // an identity key pair that does not match, a bad limit
  // logged, never thrown
  'SOCKET_UNKNOWN_DATAGRAM', // a first byte that is neither a session packet nor a rendezvous datagram
  'SOCKET_NO_FOREIGN_HANDLER', // a rendezvous datagram while nobody listens for them
  'SOCKET_TTL_UNSUPPORTED', // sendRaw with a TTL on a transport that cannot set one: sent with the default
] as const;
export type SocketErrorCode = (typeof socketErrorCodes)[number];

export type RendezvousErrorCode = WireErrorCode | NoiseErrorCode | SessionErrorCode | ChannelErrorCode | NetErrorCode | PunchErrorCode | SocketErrorCode;

export const rendezvousErrorCodes: ReadonlySet<RendezvousErrorCode> = new Set<RendezvousErrorCode>([
  ...wireErrorCodes,
  ...noiseErrorCodes,
  ...sessionErrorCodes,
  ...channelErrorCodes,
  ...netErrorCodes,
  ...punchErrorCodes,
  ...socketErrorCodes,
]);

export class RendezvousError extends ParleyError<RendezvousErrorCode> {
  /** The field at fault, as a path such as `chat.text` or `v`, when there is one. */
  readonly field: string | undefined;

  constructor(code: RendezvousErrorCode, message: string, options?: { cause?: unknown; field?: string }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
  }
}

/**
 * A handshake (noise) or connect() (socket) reached a peer that proved another identity than the
 * one asked for: both are named, so a caller can tell "wrong address" from "someone impersonating".
 */
export class IdentityMismatchError extends RendezvousError {
  readonly expectedIdentityKey: Uint8Array;
  readonly presentedIdentityKey: Uint8Array | undefined;

  constructor(
    code: 'NOISE_IDENTITY_MISMATCH' | 'SOCKET_IDENTITY_MISMATCH',
    message: string,
    expectedIdentityKey: Uint8Array,
    presentedIdentityKey: Uint8Array | undefined,
  ) {
    super(code, message);
    this.expectedIdentityKey = expectedIdentityKey;
    this.presentedIdentityKey = presentedIdentityKey;
  }
}
