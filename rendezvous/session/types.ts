import type { NamesErrorCode, Rng } from '../../names/index.ts';
import * as constants from '../constants.ts';
import type { RendezvousErrorCode } from '../errors.ts';
import type { NoiseDh, NoiseHashName, NoiseKeyPair, StaticBinding } from '../noise/index.ts';

/**
 * Events into and effects out of the session core (STYLE 1): `sessionStep(state, event, nowMs)`
 * does no I/O and reads no clock; the shell sends the datagrams, arms the timers and
 * hands deliveries to the channel layer.
 */

/** `host:port`, IPv6 hosts bracketed: the same shape as the socket layer's Address. */
export type SessionAddress = `${string}:${number}`;

/** A session to one remote static key. Defaults to the hex of that key; an XX connect names its own. */
export type PeerId = string;

export type SessionLimits = {
  rekeyAfterMs: number;
  rejectAfterMs: number;
  rekeyAfterMessages: number;
  rejectAfterMessages: number;
  rekeyTimeoutMs: number;
  rekeyTimeoutJitterMs: number;
  rekeyAttemptMs: number;
  keepaliveMs: number;
  idleTimeoutMs: number;
  queuedPayloadsMax: number;
  underLoadInitiationsPerSecond: number;
  underLoadHoldMs: number;
  initiationsPerSecondPerSource: number;
  initiationBurstPerSource: number;
  rateLimiterSourcesMax: number;
  halfOpenHandshakesMax: number;
  timestampTableMax: number;
  bindingCacheMax: number;
};

export const defaultSessionLimits: Readonly<SessionLimits> = Object.freeze({
  rekeyAfterMs: constants.sessionRekeyAfterMs,
  rejectAfterMs: constants.sessionRejectAfterMs,
  rekeyAfterMessages: constants.sessionRekeyAfterMessages,
  rejectAfterMessages: constants.sessionRejectAfterMessages,
  rekeyTimeoutMs: constants.sessionRekeyTimeoutMs,
  rekeyTimeoutJitterMs: constants.sessionRekeyTimeoutJitterMs,
  rekeyAttemptMs: constants.sessionRekeyAttemptMs,
  keepaliveMs: constants.sessionKeepaliveMs,
  idleTimeoutMs: constants.sessionIdleTimeoutMs,
  queuedPayloadsMax: constants.sessionQueuedPayloadsMax,
  underLoadInitiationsPerSecond: constants.sessionUnderLoadInitiationsPerSecond,
  underLoadHoldMs: constants.sessionUnderLoadHoldMs,
  initiationsPerSecondPerSource: constants.sessionInitiationsPerSecondPerSource,
  initiationBurstPerSource: constants.sessionInitiationBurstPerSource,
  rateLimiterSourcesMax: constants.sessionRateLimiterSourcesMax,
  halfOpenHandshakesMax: constants.sessionHalfOpenHandshakesMax,
  timestampTableMax: constants.sessionTimestampTableMax,
  bindingCacheMax: constants.sessionBindingCacheMax,
});

export type SessionConfig = {
  /** This endpoint's Noise static key pair (X25519). */
  staticKeyPair: NoiseKeyPair;
  /** Its binding to our secp256k1 identity, from signStaticBinding() once at startup. */
  binding: StaticBinding;
  /** Session indexes, cookie secrets, cookie nonces and retransmission jitter. */
  rng: Rng;
  /**
   * Ephemeral keys and DH. Defaults to x25519Dh (OS randomness; its key objects are cached by
   * names/crypto). A simulator passes rngX25519Dh(rng) to replay exactly, and tests wrap
   * either in countingDh to count scalar multiplications.
   */
  dh?: NoiseDh;
  /** Wall time (Unix ms) minus nowMs, for the IK timestamps that must grow across restarts. */
  wallClockOffsetMs: number;
  /** The Noise hash for both patterns (docs/DECISIONS.md "Sessions"); both peers must agree. */
  hash?: NoiseHashName;
  /** Overrides for tests and benchmarks; production uses the constants. */
  limits?: Partial<SessionLimits>;
};

export type SessionEvent =
  | { kind: 'datagram'; from: SessionAddress; datagram: Uint8Array }
  /**
   * Opens a session: IK when the remote static key is known, XX otherwise. The identity, when
   * given, must match the binding the peer proves; an XX connect must name its peer.
   */
  | { kind: 'connect'; peer?: PeerId; address: SessionAddress; remoteStaticKey?: Uint8Array; remoteIdentityKey?: Uint8Array }
  | { kind: 'send'; peer: PeerId; payload: Uint8Array }
  | { kind: 'close'; peer: PeerId }
  /** A timer the core asked for is due. */
  | { kind: 'tick'; peer: PeerId }
  /** The shell's view of load (e.g. a long receive queue): forces cookie mode on or off. */
  | { kind: 'load'; underLoad: boolean };

export type SessionCloseReason =
  | 'local-close'
  | 'remote-close'
  | 'idle-timeout'
  | 'handshake-timeout'
  | 'identity-mismatch'
  | 'bad-binding'
  /** The peer's handshake came with a new session epoch: it lost the session (restarted); a new one follows at once. */
  | 'peer-restarted';

export type SessionEffect =
  /** `peer` names the session the datagram belongs to, when there is one yet (not for an XX response or a cookie reply). */
  | { kind: 'send'; to: SessionAddress; datagram: Uint8Array; peer?: PeerId }
  | { kind: 'deliver'; peer: PeerId; payload: Uint8Array }
  | { kind: 'established'; peer: PeerId; address: SessionAddress; remoteStaticKey: Uint8Array; remoteIdentityKey: Uint8Array }
  /** Roaming: an authenticated packet came from a new source address, which is now the peer's. */
  | { kind: 'endpoint'; peer: PeerId; address: SessionAddress }
  /** For identity-mismatch, `presentedIdentityKey` is the identity the peer proved instead. */
  | { kind: 'closed'; peer: PeerId; reason: SessionCloseReason; presentedIdentityKey?: Uint8Array }
  /** Call back with { kind: 'tick', peer } at atMs; replaces any earlier request for that peer. */
  | { kind: 'timer'; peer: PeerId; atMs: number }
  /** New keys are in use, after a handshake started by either side (`generation` counts them from 1). */
  | { kind: 'rekeyed'; peer: PeerId; generation: number }
  /** Dropped input, with why; never an exception across the step boundary. */
  | { kind: 'log'; code: RendezvousErrorCode | NamesErrorCode; message: string; peer?: PeerId; from?: SessionAddress };

export type SessionStepResult<State> = { state: State; effects: SessionEffect[] };
