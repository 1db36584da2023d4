import type { Address } from '../net/transport.ts';
import type { IntroductionRole, NatFiltering, NatMapping } from '../wire/messages-rendezvous.ts';

export type { Address } from '../net/transport.ts';
export type { IntroductionRole, NatFiltering, NatMapping } from '../wire/messages-rendezvous.ts';

/** How a host's NAT behaves (RFC 4787), as classified against the agent (classify.ts). */
export interface NatProfile {
  readonly mapping: NatMapping;
  readonly filtering: NatFiltering;
}

export const unknownProfile: NatProfile = { mapping: 'unknown', filtering: 'unknown' };

/**
 * A local UDP socket, by index: 0 is the main socket (the one the agent sessions use, so
 * the agent's observed address is its mapping); 1..n are extra sockets a birthday punch
 * asked for with an `open-sockets` effect.
 */
export type SocketIndex = number;

/** A socket as the shell names it (rendezvous/punch/client.ts: `main`, or `<owner>/<index>`). */
export type SocketKey = string;

/** A datagram to send; `ttl` is the IP TTL to set on the socket for this one datagram. */
export interface SendEffect {
  readonly kind: 'send';
  readonly socket: SocketIndex;
  readonly to: Address;
  readonly bytes: Uint8Array;
  readonly ttl: number;
}

/** A dropped packet or an ignored message, with the stable code that says why (STYLE 6). */
export interface LogEffect {
  readonly kind: 'log';
  readonly code: string;
  readonly message: string;
}

/** Wake the machine with a `tick` event at this time (the shell keeps one timer per machine). */
export interface TimerEffect {
  readonly kind: 'timer';
  readonly atMs: number;
}

/** What an introduction gives the punch planner (from an introduce-offer). */
export interface Introduction {
  readonly role: IntroductionRole;
  readonly sessionId: Uint8Array;
  readonly secret: Uint8Array;
  readonly mine: { readonly profile: NatProfile; readonly rttToAgentMs: number };
  readonly peer: {
    readonly observed: Address;
    readonly privateAddresses: readonly Address[];
    readonly profile: NatProfile;
    readonly rttToAgentMs: number;
  };
}
