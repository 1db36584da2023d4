import type { Rng } from '../../names/index.ts';
import type { RendezvousMessage } from '../wire/messages-rendezvous.ts';
import type { ClassifyResult, ClassifyState } from './classify.ts';
import type { PathRoute, PathState } from './path.ts';
import type { PunchState } from './planner.ts';
import type { Address, LogEffect, NatProfile, SocketKey, TimerEffect } from './types.ts';

export type { SocketKey } from './types.ts';

/**
 * Types of the wallet-side rendezvous core (client.ts). Sockets are named by key: `main` is
 * the one socket the agent sessions, presence, NAT probes and punches share (so the agent's
 * observed address is the mapping the peer must reach); a birthday punch's extra sockets are
 * `<session id hex>/<1..256>`.
 */
export const mainSocket: SocketKey = 'main';

/** An agent, as the shell names its session with it (`id`) and where it listens (`address`). */
export interface AgentRef {
  readonly id: string;
  readonly address: Address;
}

export interface RendezvousClientConfig {
  /** The wallet's own agent: presence, keepalives and NAT classification. */
  readonly home: AgentRef;
  /** The main socket's own addresses (interface address : bound port): "no NAT" detection, and the private addresses advertised for same-LAN punching. */
  readonly localAddresses: readonly Address[];
  readonly rng: Rng;
}

/** Where the session with a peer sends: a direct address from one of our sockets, or the agent's relay. */
export type ClientRoute = PathRoute;

export interface PeerEntry {
  readonly peerKeyHex: string;
  readonly agent: AgentRef;
  /** `wallet@agent` when we are the caller (only the caller can ask for a new introduction). */
  readonly target: string | undefined;
  readonly path: PathState;
  pathWakeMs: number | undefined;
  /** Punch machines by introduction session id (hex); several while an upgrade runs. */
  readonly punches: Map<string, { punch: PunchState; wakeMs: number | undefined }>;
}

export interface RendezvousClientState {
  readonly config: RendezvousClientConfig;
  profile: NatProfile;
  /** Our main socket's mapping as the home agent sees it. */
  observed: Address | undefined;
  probeAddress: Address | undefined;
  classification: { state: ClassifyState; wakeMs: number | undefined } | undefined;
  readonly presence: { online: boolean; sequence: number; readonly pending: Map<number, number>; nextKeepaliveMs: number | undefined };
  /** Smoothed RTT per agent id (RFC 6298 α = 1/8). */
  readonly rttMs: Map<string, number>;
  readonly requests: Map<number, { readonly target: string; readonly agent: AgentRef; readonly sentMs: number }>;
  nextRequestId: number;
  readonly peers: Map<string, PeerEntry>;
  /** Introduction session id (hex) → peer key (hex). */
  readonly introductions: Map<string, string>;
  /** Relay token (hex) → peer key (hex), for relay datagrams arriving from the agent. */
  readonly relayTokens: Map<string, string>;
}

export type RendezvousClientEvent =
  /** Log in at the home agent (once its session is up) and classify the NAT; `rttMs` from the session handshake, if known. */
  | { readonly kind: 'start'; readonly rttMs?: number }
  /** A rendezvous message that arrived over the session with `agent`. */
  | { readonly kind: 'agent-message'; readonly agent: AgentRef; readonly message: RendezvousMessage }
  /** A datagram on one of our sockets that is not a session packet: punch (0x50/0x51), relay (0x52) or msgpack (nat-probe-reply). */
  | { readonly kind: 'datagram'; readonly socket: SocketKey; readonly from: Address; readonly bytes: Uint8Array }
  /** Connect to `wallet@agent` through that agent (the caller reaches the callee's agent directly); `rttMs` from that session's handshake, if known. */
  | { readonly kind: 'connect'; readonly target: string; readonly agent: AgentRef; readonly rttMs?: number }
  /** The session on a direct path went idle: punch again. */
  | { readonly kind: 'direct-lost'; readonly peerKeyHex: string }
  | { readonly kind: 'tick' };

export type RendezvousClientEffect =
  | LogEffect
  | TimerEffect
  /** Send over the encrypted session with this agent (open it first if needed). */
  | { readonly kind: 'agent-message'; readonly agent: AgentRef; readonly message: RendezvousMessage }
  | { readonly kind: 'send'; readonly socket: SocketKey; readonly to: Address; readonly bytes: Uint8Array; readonly ttl: number }
  /** Open sockets `<owner>/1` … `<owner>/<count>`, bound to any port, before the effects that follow. */
  | { readonly kind: 'open-sockets'; readonly owner: string; readonly count: number }
  /** Close the owner's extra sockets, all but `keep`. */
  | { readonly kind: 'close-sockets'; readonly owner: string; readonly keep: SocketKey | undefined }
  | { readonly kind: 'classified'; readonly result: ClassifyResult }
  /** The session with this peer must now use this route. */
  | { readonly kind: 'route'; readonly peerKeyHex: string; readonly route: ClientRoute; readonly connectMs: number }
  /** A relayed datagram for the session with this peer (the inner bytes, as if from the peer). */
  | { readonly kind: 'deliver'; readonly peerKeyHex: string; readonly bytes: Uint8Array }
  | { readonly kind: 'offline'; readonly target: string }
  | { readonly kind: 'refused'; readonly target: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly peerKeyHex: string; readonly reason: string };

export interface RendezvousClientStep {
  readonly state: RendezvousClientState;
  readonly effects: RendezvousClientEffect[];
}
