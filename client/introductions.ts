import { hexToBytes, NamesError, parseLoginName, type Clock, type TimerHandle } from '../names/index.ts';
import type { AgentRef, RendezvousClientEffect } from '../rendezvous/index.ts';
import type { Connection, Endpoint } from '../rendezvous/socket/index.ts';
import { ClientError } from './errors.ts';
import type { PeerLink } from './peer-link.ts';
import type { RendezvousDriver } from './rendezvous-driver.ts';

/**
 * Connects the caller's side: `connect(target)` asks the target's agent for an introduction
 * (the rendezvous core sends introduce-request), and once the core has a path for the peer the
 * agent named (`routed`), opens the Noise session over it (XX: the offer carries the peer's
 * identity key, not its static key). An offline target or a refusal comes back as an outcome.
 */
export interface ConnectResult {
  readonly link: PeerLink;
  readonly path: 'direct' | 'relayed';
  /** From the introduction request to the session being up (the handshake included). */
  readonly connectMs: number;
}

interface Pending {
  readonly target: string;
  readonly agentName: string;
  readonly startMs: number;
  readonly deadlineMs: number;
  readonly resolve: (result: ConnectResult) => void;
  readonly reject: (error: ClientError) => void;
  timer: TimerHandle | undefined;
  connecting: boolean;
}

/** The session with an agent by name, opened on first use. */
export type AgentLookup = (name: string) => { readonly ref: AgentRef; readonly connection: Promise<Connection> };

type Outcome = Extract<RendezvousClientEffect, { kind: 'offline' | 'refused' | 'failed' }>;

export class Introductions {
  readonly #clock: Clock;
  readonly #endpoint: Endpoint;
  readonly #driver: RendezvousDriver;
  readonly #agentLink: AgentLookup;
  readonly #makeLink: (peerKeyHex: string, connection: Connection) => PeerLink;
  readonly #pending = new Map<string, Pending>();

  constructor(clock: Clock, endpoint: Endpoint, driver: RendezvousDriver, agentLink: AgentLookup, makeLink: (peerKeyHex: string, connection: Connection) => PeerLink) {
    this.#clock = clock;
    this.#endpoint = endpoint;
    this.#driver = driver;
    this.#agentLink = agentLink;
    this.#makeLink = makeLink;
  }

  async connect(target: string, timeoutMs: number): Promise<ConnectResult> {
    let agentName: string;
    try {
      agentName = parseLoginName(target).agent;
    } catch (error) {
      if (error instanceof NamesError) throw new ClientError('CLIENT_USAGE', `target: ${error.message}`);
      throw error;
    }
    if (this.#pending.has(target)) throw new ClientError('CLIENT_USAGE', `already connecting to ${target}`);
    const link = this.#agentLink(agentName);
    const connection = await link.connection;
    const startMs = this.#clock.nowMs();
    const result = new Promise<ConnectResult>((resolve, reject) => {
      const pending: Pending = { target, agentName, startMs, deadlineMs: startMs + timeoutMs, resolve, reject, timer: undefined, connecting: false };
      pending.timer = this.#clock.setTimer(timeoutMs, () => {
        const peer = [...this.#driver.state.peers.values()].find((entry) => entry.target === target);
        this.#fail(pending, new ClientError('CLIENT_CONNECT_TIMEOUT', `no session with ${target} within ${timeoutMs} ms (path: ${peer?.path.kind ?? 'no introduction yet'})`));
      });
      this.#pending.set(target, pending);
    });
    const rttMs = connection.rttMs();
    this.#driver.step({ kind: 'connect', target, agent: link.ref, ...(rttMs === undefined ? {} : { rttMs: Math.round(rttMs) }) });
    return result;
  }

  /** The core has a (new) route for this peer: if we are calling it, open the session now. */
  routed(peerKeyHex: string): void {
    const entry = this.#driver.state.peers.get(peerKeyHex);
    const pending = entry?.target === undefined ? undefined : this.#pending.get(entry.target);
    const route = entry?.path.route;
    if (pending === undefined || pending.connecting || route === undefined) return;
    pending.connecting = true;
    const address = route.kind === 'direct' ? route.address : route.relayAddress;
    const timeoutMs = Math.max(1, pending.deadlineMs - this.#clock.nowMs());
    this.#endpoint.connect(address, { remoteIdentityKey: hexToBytes(peerKeyHex), timeoutMs }).then(
      (connection) => {
        if (this.#pending.get(pending.target) !== pending) return;
        this.#finish(pending);
        const path = this.#driver.state.peers.get(peerKeyHex)?.path.kind === 'relayed' ? 'relayed' : 'direct';
        pending.resolve({ link: this.#makeLink(peerKeyHex, connection), path, connectMs: Math.round(this.#clock.nowMs() - pending.startMs) });
      },
      (error: unknown) => this.#fail(pending, new ClientError('CLIENT_CONNECT_FAILED', `the session with ${pending.target} over the ${route.kind} path failed: ${(error as Error).message}`, { cause: error })),
    );
  }

  outcome(effect: Outcome): void {
    if (effect.kind === 'failed') {
      const target = this.#driver.state.peers.get(effect.peerKeyHex)?.target;
      const pending = target === undefined ? undefined : this.#pending.get(target);
      if (pending !== undefined) this.#fail(pending, new ClientError('CLIENT_CONNECT_FAILED', `no path to ${pending.target}: punching failed and ${pending.agentName} refused a relay (${effect.reason})`));
      return;
    }
    const pending = this.#pending.get(effect.target);
    if (pending === undefined) return;
    if (effect.kind === 'offline') this.#fail(pending, new ClientError('CLIENT_PEER_OFFLINE', `${effect.target} is offline: not logged in at ${pending.agentName}`));
    else this.#fail(pending, new ClientError('CLIENT_INTRODUCTION_REFUSED', `${pending.agentName} refused to introduce ${effect.target}: ${effect.reason}`));
  }

  closeAll(): void {
    for (const pending of [...this.#pending.values()]) this.#fail(pending, new ClientError('CLIENT_CONNECT_FAILED', `connect to ${pending.target}: the wallet closed`));
  }

  #fail(pending: Pending, error: ClientError): void {
    if (this.#pending.get(pending.target) !== pending) return;
    this.#finish(pending);
    pending.reject(error);
  }

  #finish(pending: Pending): void {
    if (pending.timer !== undefined) this.#clock.clearTimer(pending.timer);
    pending.timer = undefined;
    this.#pending.delete(pending.target);
  }
}
