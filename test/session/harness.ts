import { seededRng, x25519PublicKey, type Rng } from '../../names/index.ts';
import { countingDh, rngX25519Dh, signStaticBinding, type DhCounter, type NoiseDh, type NoiseKeyPair } from '../../rendezvous/noise/index.ts';
import {
  createSessionHost,
  sessionStep,
  type SessionAddress,
  type SessionConfig,
  type SessionEffect,
  type SessionEvent,
  type SessionHostState,
} from '../../rendezvous/session/index.ts';

/**
 * A deterministic driver for session cores: parties exchange datagrams through a FIFO the
 * test can inspect, tamper with, drop or replay, and timers fire on a virtual clock.
 */
export type Party = {
  name: string;
  address: SessionAddress;
  state: SessionHostState;
  staticKeyPair: NoiseKeyPair;
  identitySecretKey: Uint8Array;
  identityKey: Uint8Array;
  counter: DhCounter;
  effects: SessionEffect[];
  timers: Map<string, number>;
};

export type InFlight = { from: SessionAddress; to: SessionAddress; datagram: Uint8Array; atMs?: number };

export function makeParty(
  name: string,
  seed: number,
  address: SessionAddress,
  nowMs = 0,
  overrides: Partial<SessionConfig> = {},
): Party {
  const keyRng = seededRng(seed);
  const staticSecret = keyRng.bytes(32);
  const staticKeyPair = { secretKey: staticSecret, publicKey: x25519PublicKey(staticSecret) };
  const identitySecretKey = keyRng.bytes(32);
  const binding = signStaticBinding(identitySecretKey, staticKeyPair.publicKey, new Uint8Array(32));
  const rng = seededRng(seed + 1000);
  const counter: DhCounter = { dh: 0, generateKeyPair: 0 };
  const dh = countingDh(overrides.dh ?? rngX25519Dh(rng), counter);
  const state = createSessionHost({ staticKeyPair, binding, rng, wallClockOffsetMs: 1_700_000_000_000, ...overrides, dh }, nowMs);
  return { name, address, state, staticKeyPair, identitySecretKey, identityKey: binding.identityKey, counter, effects: [], timers: new Map() };
}

export class Network {
  nowMs: number;
  readonly parties = new Map<SessionAddress, Party>();
  readonly inFlight: InFlight[] = [];
  /** Every datagram ever sent, for replays. */
  readonly sent: InFlight[] = [];

  constructor(nowMs = 0, ...parties: Party[]) {
    this.nowMs = nowMs;
    for (const party of parties) this.parties.set(party.address, party);
  }

  /** Runs one event at the current time and routes the effects. */
  apply(party: Party, event: SessionEvent): SessionEffect[] {
    const { effects } = sessionStep(party.state, event, this.nowMs);
    party.effects.push(...effects);
    for (const effect of effects) {
      if (effect.kind === 'send') {
        const flight = { from: party.address, to: effect.to, datagram: effect.datagram, atMs: this.nowMs };
        this.inFlight.push(flight);
        this.sent.push(flight);
      } else if (effect.kind === 'timer') {
        party.timers.set(effect.peer, effect.atMs);
      }
    }
    return effects;
  }

  /** Delivers one datagram as if it came from `from` (default: its real source). */
  deliver(flight: InFlight, from: SessionAddress = flight.from): SessionEffect[] {
    const party = this.parties.get(flight.to);
    if (party === undefined) return [];
    return this.apply(party, { kind: 'datagram', from, datagram: flight.datagram });
  }

  /** Delivers everything in flight, including what the deliveries send, until quiet. */
  flush(limit = 10_000): void {
    for (let count = 0; this.inFlight.length > 0; count++) {
      if (count >= limit) throw new Error('network did not go quiet');
      this.deliver(this.inFlight.shift()!);
    }
  }

  /** Moves time forward, firing due timers in time order and flushing after each. */
  advance(deltaMs: number): void {
    const target = this.nowMs + deltaMs;
    for (;;) {
      let due: { party: Party; peer: string; atMs: number } | undefined;
      for (const party of this.parties.values()) {
        for (const [peer, atMs] of party.timers) if (atMs <= target && (due === undefined || atMs < due.atMs)) due = { party, peer, atMs };
      }
      if (due === undefined) break;
      due.party.timers.delete(due.peer);
      this.nowMs = Math.max(this.nowMs, due.atMs);
      this.apply(due.party, { kind: 'tick', peer: due.peer });
      this.flush();
    }
    this.nowMs = target;
  }
}

/** Effects of one kind, typed. */
export function effectsOf<K extends SessionEffect['kind']>(effects: SessionEffect[], kind: K): Extract<SessionEffect, { kind: K }>[] {
  return effects.filter((effect): effect is Extract<SessionEffect, { kind: K }> => effect.kind === kind);
}

export function logCodes(effects: SessionEffect[]): string[] {
  return effectsOf(effects, 'log').map((effect) => effect.code);
}

/** Connects `initiator` to `responder` by IK and runs the handshake to completion. */
export function connectIk(network: Network, initiator: Party, responder: Party): string {
  const peer = Buffer.from(responder.staticKeyPair.publicKey).toString('hex');
  network.apply(initiator, {
    kind: 'connect',
    address: responder.address,
    remoteStaticKey: responder.staticKeyPair.publicKey,
    remoteIdentityKey: responder.identityKey,
  });
  network.flush();
  return peer;
}

export function peerIdOf(party: Party): string {
  return Buffer.from(party.staticKeyPair.publicKey).toString('hex');
}

/** A scripted Rng for golden bytes: fixed session indexes, no jitter, patterned bytes. */
export function scriptedRng(indexes: number[]): Rng {
  let fill = 0;
  return {
    bytes: (length) => new Uint8Array(length).fill(0xa0 + (fill++ % 16)),
    below: (bound) => (bound === 2 ** 32 ? (indexes.shift() ?? 7) : 0),
    unit: () => 0,
  };
}

/** Fixed ephemeral secrets, in order, for golden bytes. */
export function fixedEphemeralDh(inner: NoiseDh, secrets: Uint8Array[]): NoiseDh {
  return {
    generateKeyPair() {
      const secretKey = secrets.shift();
      if (secretKey === undefined) return inner.generateKeyPair();
      return { secretKey, publicKey: x25519PublicKey(secretKey) };
    },
    dh: (secretKey, publicKey) => inner.dh(secretKey, publicKey),
  };
}
