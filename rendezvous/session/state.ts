import { bytesToHex, expectBytes, SCHNORR_SIGNATURE_BYTES, X_ONLY_PUBLIC_KEY_BYTES, type NamesErrorCode, type Rng } from '../../names/index.ts';
import { RendezvousError, type RendezvousErrorCode } from '../errors.ts';
import {
  BindingCache,
  NOISE_DH_BYTES,
  parseProtocolName,
  type HandshakeState,
  type NoiseHash,
  x25519Dh,
} from '../noise/index.ts';
import type { HandshakeContext } from './handshake.ts';
import { wipeKeypair, type Keypair } from './keypair.ts';
import { CookieJar, macKeys, type MacKeys } from './macs.ts';
import { RateLimiter } from './rate-limiter.ts';
import { StaticDhCache } from './static-dh.ts';
import { encodeTai64n, timestampGranules, TimestampTable } from './timestamp.ts';
import { SESSION_EPOCH_BYTES } from './packets.ts';
import { defaultSessionLimits, type PeerId, type SessionAddress, type SessionConfig, type SessionEffect, type SessionLimits } from './types.ts';

/**
 * The state of one session endpoint: one static key, many peers. The step function owns it
 * and updates it in place (it is large: replay bitmaps, tables), but it is only ever touched
 * from inside sessionStep, which does no I/O and draws randomness only from the injected Rng.
 */
export type SessionHostState = {
  readonly limits: SessionLimits;
  readonly rng: Rng;
  readonly wallClockOffsetMs: number;
  readonly hash: NoiseHash;
  readonly context: HandshakeContext;
  /** mac1 and cookie keys for initiations addressed to us: IK ones name our static key, XX ones cannot. */
  readonly ikMacKeys: MacKeys;
  readonly xxMacKeys: MacKeys;
  readonly cookies: CookieJar;
  readonly peers: Map<PeerId, Peer>;
  readonly peersByStatic: Map<string, PeerId>;
  /** Our session indexes → the peer using them (pending handshakes and keypairs). */
  readonly indexes: Map<number, PeerId>;
  /** XX handshakes we answered and whose finish has not arrived; not peers yet. */
  readonly xxResponding: Map<number, XxResponding>;
  /** Local indexes of responder keys not yet confirmed by the initiator's first packet. */
  readonly unconfirmed: Set<number>;
  readonly timestamps: TimestampTable;
  readonly rateLimiter: RateLimiter;
  load: { forced: boolean; windowStartMs: number; initiationsInWindow: number; heldUntilMs: number };
  lastTimestampGranules: number;
};

export type Peer = {
  readonly id: PeerId;
  endpoint: SessionAddress;
  remoteStatic: Uint8Array | undefined;
  /** Expected before the handshake when the caller named it; proven after. */
  remoteIdentity: Uint8Array | undefined;
  macKeys: MacKeys;
  cookie: { value: Uint8Array; receivedMs: number } | undefined;
  current: Keypair | undefined;
  previous: Keypair | undefined;
  /** Responder keys waiting for the initiator's first packet (key confirmation). */
  next: Keypair | undefined;
  handshake: PendingHandshake | undefined;
  queue: Uint8Array[];
  established: boolean;
  /** True once the layer above knows the peer (it connected, or the session was established). */
  announced: boolean;
  generation: number;
  /** The epoch we send in this session's handshakes, and the one the peer sent (packets.ts SESSION_EPOCH_BYTES). */
  localEpoch: Uint8Array;
  remoteEpoch: Uint8Array | undefined;
  lastSentMs: number;
  lastReceivedMs: number;
  timerAtMs: number | undefined;
};

export type PendingHandshake = {
  pattern: 'ik' | 'xx';
  state: HandshakeState;
  localIndex: number;
  /** The initiation as last sent: resent with mac2 when a cookie reply arrives. */
  packet: Uint8Array;
  cookieResent: boolean;
  attemptStartMs: number;
  resendAtMs: number;
};

export type XxResponding = { handshake: HandshakeState; remoteIndex: number; endpoint: SessionAddress; createdMs: number; localEpoch: Uint8Array };

export function createSessionHost(config: SessionConfig, nowMs: number): SessionHostState {
  expectBytes(config.staticKeyPair.secretKey, NOISE_DH_BYTES, 'session static secret key');
  expectBytes(config.staticKeyPair.publicKey, NOISE_DH_BYTES, 'session static public key');
  expectBytes(config.binding.identityKey, X_ONLY_PUBLIC_KEY_BYTES, 'session identity key');
  expectBytes(config.binding.signature, SCHNORR_SIGNATURE_BYTES, 'session binding signature');
  const limits = { ...defaultSessionLimits, ...config.limits };
  checkLimits(limits);
  const hashName = config.hash ?? 'SHA256';
  const ik = parseProtocolName(`Noise_IK_25519_ChaChaPoly_${hashName}`);
  const xx = parseProtocolName(`Noise_XX_25519_ChaChaPoly_${hashName}`);
  const hash = ik.hash;
  const ikMacKeys = macKeys(hash, config.staticKeyPair.publicKey);
  return {
    limits,
    rng: config.rng,
    wallClockOffsetMs: config.wallClockOffsetMs,
    hash,
    context: {
      ik,
      xx,
      staticKeyPair: config.staticKeyPair,
      binding: config.binding,
      dh: new StaticDhCache(config.dh ?? x25519Dh, config.staticKeyPair.secretKey, limits.bindingCacheMax),
      bindings: new BindingCache(limits.bindingCacheMax),
    },
    ikMacKeys,
    xxMacKeys: macKeys(hash, undefined),
    cookies: new CookieJar(hash, config.rng, nowMs),
    peers: new Map(),
    peersByStatic: new Map(),
    indexes: new Map(),
    xxResponding: new Map(),
    unconfirmed: new Set(),
    timestamps: new TimestampTable(limits.timestampTableMax),
    rateLimiter: new RateLimiter({
      ratePerSecond: limits.initiationsPerSecondPerSource,
      burst: limits.initiationBurstPerSource,
      sourcesMax: limits.rateLimiterSourcesMax,
    }),
    load: { forced: false, windowStartMs: nowMs, initiationsInWindow: 0, heldUntilMs: -Infinity },
    lastTimestampGranules: 0,
  };
}

function checkLimits(limits: SessionLimits): void {
  const problems: string[] = [];
  if (!(limits.rekeyAfterMessages < limits.rejectAfterMessages)) problems.push('rekeyAfterMessages < rejectAfterMessages');
  if (!(limits.rekeyAfterMs < limits.rejectAfterMs)) problems.push('rekeyAfterMs < rejectAfterMs');
  if (!Number.isSafeInteger(limits.rejectAfterMessages)) problems.push('rejectAfterMessages is a safe integer');
  if (!(limits.keepaliveMs < limits.idleTimeoutMs)) problems.push('keepaliveMs < idleTimeoutMs');
  if (!(limits.rekeyTimeoutMs < limits.rekeyAttemptMs)) problems.push('rekeyTimeoutMs < rekeyAttemptMs');
  if (problems.length > 0) throw new RendezvousError('SESSION_BAD_CONFIG', `session limits must satisfy: ${problems.join(', ')}`);
}

export function staticKeyId(staticKey: Uint8Array): string {
  return bytesToHex(staticKey);
}

/** A fresh random 32-bit index, unused by any session or half-open handshake of ours. */
export function allocateIndex(state: SessionHostState): number {
  for (;;) {
    const index = state.rng.below(2 ** 32);
    if (!state.indexes.has(index) && !state.xxResponding.has(index)) return index;
  }
}

export function newPeer(
  state: SessionHostState,
  fields: { id: PeerId; endpoint: SessionAddress; remoteStatic?: Uint8Array; remoteIdentity?: Uint8Array; announced: boolean; localEpoch?: Uint8Array },
  nowMs: number,
): Peer {
  const peer: Peer = {
    id: fields.id,
    endpoint: fields.endpoint,
    remoteStatic: fields.remoteStatic,
    remoteIdentity: fields.remoteIdentity,
    macKeys: macKeys(state.hash, fields.remoteStatic),
    cookie: undefined,
    current: undefined,
    previous: undefined,
    next: undefined,
    handshake: undefined,
    queue: [],
    established: false,
    announced: fields.announced,
    generation: 0,
    localEpoch: fields.localEpoch ?? state.rng.bytes(SESSION_EPOCH_BYTES),
    remoteEpoch: undefined,
    lastSentMs: nowMs,
    lastReceivedMs: nowMs,
    timerAtMs: undefined,
  };
  state.peers.set(peer.id, peer);
  if (fields.remoteStatic !== undefined) {
    state.peersByStatic.set(staticKeyId(fields.remoteStatic), peer.id);
    state.context.dh.remember(fields.remoteStatic);
  }
  return peer;
}

/** Learns the static key an XX handshake proved, so later IK rekeys and initiations find this peer. */
export function learnRemoteStatic(state: SessionHostState, peer: Peer, remoteStatic: Uint8Array): void {
  peer.remoteStatic = remoteStatic;
  peer.macKeys = macKeys(state.hash, remoteStatic);
  state.peersByStatic.set(staticKeyId(remoteStatic), peer.id);
  state.context.dh.remember(remoteStatic);
}

export function dropKeypair(state: SessionHostState, keypair: Keypair | undefined): void {
  if (keypair === undefined) return;
  state.indexes.delete(keypair.localIndex);
  state.unconfirmed.delete(keypair.localIndex);
  wipeKeypair(keypair);
}

export function dropHandshake(state: SessionHostState, peer: Peer): void {
  if (peer.handshake === undefined) return;
  state.indexes.delete(peer.handshake.localIndex);
  peer.handshake = undefined;
}

export function removePeer(state: SessionHostState, peer: Peer): void {
  dropHandshake(state, peer);
  for (const keypair of [peer.current, peer.previous, peer.next]) dropKeypair(state, keypair);
  peer.current = peer.previous = peer.next = undefined;
  peer.queue.length = 0;
  state.peers.delete(peer.id);
  if (peer.remoteStatic !== undefined && state.peersByStatic.get(staticKeyId(peer.remoteStatic)) === peer.id) {
    state.peersByStatic.delete(staticKeyId(peer.remoteStatic));
  }
}

/** Responder keys and half-open XX handshakes: the state an unauthenticated initiation can create. */
export function halfOpenCount(state: SessionHostState): number {
  return state.xxResponding.size + state.unconfirmed.size;
}

/** Counts an initiation that passed mac1 and says whether cookies are now required. */
export function noteInitiationAndCheckLoad(state: SessionHostState, nowMs: number): boolean {
  const { load, limits } = state;
  if (nowMs - load.windowStartMs >= 1000) {
    load.windowStartMs = nowMs;
    load.initiationsInWindow = 0;
  }
  load.initiationsInWindow++;
  if (load.initiationsInWindow > limits.underLoadInitiationsPerSecond) load.heldUntilMs = nowMs + limits.underLoadHoldMs;
  return load.forced || nowMs < load.heldUntilMs;
}

/** The next TAI64N timestamp: wall time rounded to the granule, and always greater than the last. */
export function nextTimestamp(state: SessionHostState, nowMs: number): Uint8Array {
  const granules = Math.max(timestampGranules(nowMs + state.wallClockOffsetMs), state.lastTimestampGranules + 1);
  state.lastTimestampGranules = granules;
  return encodeTai64n(granules);
}

/** What one call of sessionStep works with: the state, the effects so far, the time, and the peers it touched. */
export type Step = { state: SessionHostState; effects: SessionEffect[]; nowMs: number; touched: Set<Peer> };

export function log(step: Step, code: RendezvousErrorCode | NamesErrorCode, message: string, where: { peer?: PeerId; from?: SessionAddress } = {}): void {
  step.effects.push({ kind: 'log', code, message, ...where });
}
