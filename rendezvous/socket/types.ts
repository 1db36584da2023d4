import type { Clock, Rng } from '../../names/index.ts';
import * as constants from '../constants.ts';
import type { ChannelOptions, ChannelStats } from '../channel/index.ts';
import type { Address, DatagramTransport } from '../net/index.ts';
import type { NoiseDh, NoiseHashName, NoiseKeyPair } from '../noise/index.ts';
import type { SessionCloseReason, SessionLimits } from '../session/index.ts';

/**
 * The socket layer's public API (docs/PROTOCOL.md "Socket layer"): one Endpoint owns one
 * DatagramTransport, runs the pure session core on it, and gives every established session one
 * reliable channel. The rendezvous layer (issue 4) sits beside it: it sees the datagrams that
 * are not session packets, sends raw ones (with a TTL), and can route a peer's session
 * datagrams through a relay.
 */

/** Limits of the socket shell; the defaults are the `socket*` constants in rendezvous/constants.ts. */
export type SocketLimits = {
  /** Established sessions at once (inbound and outbound); an inbound one beyond it is closed at once. */
  connectionsMax: number;
  /** Outbound handshakes in flight; connect() beyond it is refused. */
  pendingConnectsMax: number;
  /** Default time connect() waits for the handshake. */
  connectTimeoutMs: number;
  /** Connection.close() waits at most this long for queued messages to be acknowledged. */
  closeLingerMs: number;
  /** Unreliable datagrams kept for a connection that has no onDatagram handler yet. */
  datagramBacklogMax: number;
};

export const defaultSocketLimits: Readonly<SocketLimits> = Object.freeze({
  connectionsMax: constants.socketConnectionsMax,
  pendingConnectsMax: constants.socketPendingConnectsMax,
  connectTimeoutMs: constants.socketConnectTimeoutMs,
  closeLingerMs: constants.socketCloseLingerMs,
  datagramBacklogMax: constants.socketDatagramBacklogMax,
});

export interface EndpointOptions {
  transport: DatagramTransport;
  clock: Clock;
  /** Session indexes, cookie secrets, jitter, the binding's aux randomness, and the static key when generated. */
  rng: Rng;
  /** This wallet's or agent's secp256k1 identity (BIP340, x-only public key). */
  identity: { secretKey: Uint8Array; publicKey: Uint8Array };
  /** The Noise static key (X25519); generated from `rng` when absent. Publish its public half so peers can use IK. */
  staticKeyPair?: NoiseKeyPair;
  /** One line per dropped packet, refused session or failed send, with its stable code. */
  log?: (line: string) => void;
  limits?: Partial<SocketLimits>;
  /** Session timers and limits, for tests and benchmarks; production uses the constants. */
  sessionLimits?: Partial<SessionLimits>;
  /** Channel options; both peers must agree on datagramPayloadBytes (the default, 1171, fills a session packet). */
  channel?: ChannelOptions;
  /** Ephemeral keys and DH; default x25519Dh (OS randomness). A simulator passes rngX25519Dh(rng) to replay exactly. */
  dh?: NoiseDh;
  hash?: NoiseHashName;
  /**
   * Runs a callback on the next event-loop turn, for channel pacing slots finer than a
   * millisecond. Default: setImmediate with systemClock, none with any other clock (a
   * VirtualClock's timers are exact).
   */
  immediate?: (callback: () => void) => void;
}

export interface ConnectOptions {
  /** The identity the peer must prove; anything else fails with SOCKET_IDENTITY_MISMATCH. */
  remoteIdentityKey: Uint8Array;
  /** The peer's Noise static key (X25519): IK when given (one round trip), XX otherwise. */
  remoteStaticKey?: Uint8Array;
  timeoutMs?: number;
}

/** Why a connection ended: the session's reasons, a broken channel, or the endpoint closing. */
export type ConnectionCloseReason = SessionCloseReason | 'channel-failed' | 'too-many-connections' | 'endpoint-closed';

/** A session datagram's way to a peer other than its address: through a relay (already wrapped by the caller). */
export type Route = (datagram: Uint8Array) => void;

export interface Endpoint {
  /** Our secp256k1 identity (x-only). */
  readonly identityKey: Uint8Array;
  /** Our Noise static public key (X25519), so peers can connect with IK. */
  readonly staticPublicKey: Uint8Array;
  readonly localAddress: Address;
  /**
   * Opens an encrypted session and its channel. Resolves with the existing connection when one
   * to that identity is open. Rejects with a RendezvousError: SOCKET_CONNECT_TIMEOUT,
   * SOCKET_IDENTITY_MISMATCH (an IdentityMismatchError naming the expected and the presented
   * identity), SOCKET_BAD_BINDING, SOCKET_TOO_MANY_CONNECTIONS, SOCKET_CLOSED.
   */
  connect(address: Address, options: ConnectOptions): Promise<Connection>;
  /** Inbound sessions, once the peer has proven its identity (the one handler; a later call replaces it). */
  onConnection(handler: (connection: Connection) => void): void;
  /** Datagrams that are not session packets (punch, relay, msgpack NAT probes), for the rendezvous layer. */
  onForeignDatagram(handler: (bytes: Uint8Array, from: Address) => void): void;
  /**
   * Sends a datagram outside any session (punch packets, NAT probes, relay datagrams).
   * Resolves once the transport has sent it, so the next call may use another TTL.
   */
  sendRaw(bytes: Uint8Array, to: Address, options?: { ttl?: number }): Promise<void>;
  /**
   * Sends this peer's session datagrams through `route` instead of to its address (undefined:
   * back to direct). Applies to handshakes too, so set it before connect() on a relayed path.
   */
  setRoute(peerIdentityKeyHex: string, route: Route | undefined): void;
  /**
   * A session datagram that arrived through a relay, as if it came from `from`. Name the peer
   * when it is known (the relay token says who it is): handshake answers sent before the peer is
   * authenticated (an XX response, a cookie reply) then take that peer's route back.
   */
  injectDatagram(bytes: Uint8Array, from: Address, options?: { peerIdentityKeyHex?: string }): void;
  /** The open connections. */
  connections(): Connection[];
  /** Closes every connection (a session close packet each), fails pending connects, and closes the transport. */
  close(): Promise<void>;
}

export interface Connection {
  /** The peer's proven secp256k1 identity (x-only), and its hex. */
  readonly peerIdentityKey: Uint8Array;
  readonly peerIdentityKeyHex: string;
  /** The peer's Noise static key: keep it to reconnect with IK. */
  readonly peerStaticKey: Uint8Array;
  /** True when we opened the session. */
  readonly initiator: boolean;
  /** Where the peer's authenticated packets last came from (roaming moves it). */
  readonly remoteAddress: Address;
  readonly closed: boolean;
  /**
   * Queues a reliable, ordered message (at most channelMessageBytesMax). Resolves once the
   * bounded send queue accepted it, waiting while it is full (backpressure); rejects with
   * SOCKET_CLOSED once the connection is closed, or CHANNEL_MESSAGE_TOO_LARGE. Do not mutate
   * the message afterwards: the channel keeps it until acknowledged.
   */
  send(message: Uint8Array): Promise<void>;
  /** An unreliable datagram (probes): false when too many wait or the connection is closed. */
  sendDatagram(bytes: Uint8Array): boolean;
  /** Messages in order, exactly once. Until a handler is set, they wait (and the peer is held back). */
  onMessage(handler: (message: Uint8Array) => void): void;
  onDatagram(handler: (bytes: Uint8Array) => void): void;
  /** Called once; at once if the connection is already closed. */
  onClose(handler: (reason: ConnectionCloseReason) => void): void;
  /** Smoothed round-trip time of the channel; undefined before the first sample. */
  rttMs(): number | undefined;
  /** The channel's counters (retransmissions, window, bytes in flight), for status displays and benchmarks. */
  stats(): ChannelStats;
  /** Clean close: waits (up to closeLingerMs) until queued messages are acknowledged, then sends the session close packet. */
  close(): Promise<void>;
}
