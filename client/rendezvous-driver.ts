import type { Clock, TimerHandle } from '../names/index.ts';
import {
  createRendezvousClient,
  mainSocket,
  rendezvousClientStep,
  routeDatagram,
  socketDefaultTtl,
  type Address,
  type AgentRef,
  type ClassifyResult,
  type ClientRoute,
  type RendezvousClientConfig,
  type RendezvousClientEffect,
  type RendezvousClientEvent,
  type RendezvousClientState,
  type RendezvousMessage,
} from '../rendezvous/index.ts';
import { ExtraSockets } from './extra-sockets.ts';

/**
 * The shell of the wallet-side rendezvous core (rendezvous/punch/client.ts): it steps the pure
 * machine, keeps its one timer, and carries out its effects through `hooks` (the wallet's
 * Endpoint and agent sessions) and the birthday punch's extra sockets. Datagrams on the extra
 * sockets that are session packets go to the Endpoint (`sessionDatagram`); the rest come back
 * in here as `datagram` events.
 */
export interface DriverHooks {
  sendToAgent(agent: AgentRef, message: RendezvousMessage): void;
  /** A raw datagram on the main socket (the Endpoint's), with its TTL. */
  sendMain(bytes: Uint8Array, to: Address, ttl: number): void;
  route(peerKeyHex: string, route: ClientRoute, connectMs: number): void;
  /** A relayed session datagram from this peer. */
  deliver(peerKeyHex: string, bytes: Uint8Array, relayAddress: Address): void;
  /** A session datagram that arrived on an extra socket (a birthday punch's), with the peer that socket was opened for. */
  sessionDatagram(bytes: Uint8Array, from: Address, socketKey: string, peerKeyHex: string | undefined): void;
  outcome(effect: Extract<RendezvousClientEffect, { kind: 'offline' | 'refused' | 'failed' }>): void;
  classified(result: ClassifyResult): void;
  log(code: string, message: string): void;
}

export class RendezvousDriver {
  #state: RendezvousClientState;
  readonly #clock: Clock;
  readonly #hooks: DriverHooks;
  readonly #extra: ExtraSockets;
  #timer: TimerHandle | undefined;
  #closed = false;
  /**
   * Extra sockets' owner (an introduction's session id, hex) → the peer they were opened for.
   * Kept apart from the core's introductions, which forget a punch once it finished while the
   * socket it kept still carries that peer's session.
   */
  readonly #ownerPeers = new Map<string, string>();

  constructor(config: RendezvousClientConfig, clock: Clock, bindHost: string, hooks: DriverHooks) {
    this.#state = createRendezvousClient(config);
    this.#clock = clock;
    this.#hooks = hooks;
    this.#extra = new ExtraSockets(bindHost, (socketKey, bytes, from) => this.#extraDatagram(socketKey, bytes, from), hooks.log);
  }

  get state(): RendezvousClientState {
    return this.#state;
  }

  step(event: RendezvousClientEvent): void {
    if (this.#closed) return;
    const result = rendezvousClientStep(this.#state, event, this.#clock.nowMs());
    this.#state = result.state;
    for (const effect of result.effects) this.#apply(effect);
  }

  /** Sends one of this peer's session datagrams where its path says (direct socket or relay); false while it has none. */
  sendSessionDatagram(peerKeyHex: string, bytes: Uint8Array, directOverride?: Address): boolean {
    const routed = routeDatagram(this.#state, peerKeyHex, bytes);
    if (routed === undefined) return false;
    const route = this.#state.peers.get(peerKeyHex)?.path.route;
    const to = route?.kind === 'direct' && directOverride !== undefined ? directOverride : routed.to;
    if (routed.socket === mainSocket) this.#hooks.sendMain(routed.bytes, to, socketDefaultTtl);
    else this.#extra.send(routed.socket, routed.bytes, to);
    return true;
  }

  /** Sends on one socket, main or extra, with the default TTL (a session datagram answering its observed source). */
  sendOn(socketKey: string, bytes: Uint8Array, to: Address): void {
    if (socketKey === mainSocket) this.#hooks.sendMain(bytes, to, socketDefaultTtl);
    else this.#extra.send(socketKey, bytes, to);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    await this.#extra.closeAll();
  }

  #apply(effect: RendezvousClientEffect): void {
    switch (effect.kind) {
      case 'agent-message':
        return this.#hooks.sendToAgent(effect.agent, effect.message);
      case 'send':
        if (effect.socket === mainSocket) this.#hooks.sendMain(effect.bytes, effect.to, effect.ttl);
        else this.#extra.send(effect.socket, effect.bytes, effect.to, effect.ttl);
        return;
      case 'open-sockets': {
        const peerKeyHex = this.#state.introductions.get(effect.owner);
        if (peerKeyHex !== undefined) this.#ownerPeers.set(effect.owner, peerKeyHex);
        return this.#extra.open(effect.owner, effect.count);
      }
      case 'close-sockets':
        if (effect.keep === undefined) this.#ownerPeers.delete(effect.owner);
        return this.#extra.close(effect.owner, effect.keep);
      case 'timer':
        if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
        this.#timer = this.#clock.setTimer(Math.max(0, effect.atMs - this.#clock.nowMs()), () => {
          this.#timer = undefined;
          this.step({ kind: 'tick' });
        });
        return;
      case 'route':
        return this.#hooks.route(effect.peerKeyHex, effect.route, effect.connectMs);
      case 'deliver': {
        const route = this.#state.peers.get(effect.peerKeyHex)?.path.route;
        const relayAddress = route?.kind === 'relayed' ? route.relayAddress : this.#state.config.home.address;
        return this.#hooks.deliver(effect.peerKeyHex, effect.bytes, relayAddress);
      }
      case 'classified':
        return this.#hooks.classified(effect.result);
      case 'log':
        return this.#hooks.log(effect.code, effect.message);
      case 'offline':
      case 'refused':
      case 'failed':
        return this.#hooks.outcome(effect);
    }
  }

  #extraDatagram(socketKey: string, bytes: Uint8Array, from: Address): void {
    const first = bytes[0] ?? 0;
    if (first >= 0x01 && first <= 0x08) {
      // The extra socket a birthday punch kept carries that peer's session.
      const owner = socketKey.slice(0, socketKey.indexOf('/'));
      return this.#hooks.sessionDatagram(bytes, from, socketKey, this.#ownerPeers.get(owner));
    }
    this.step({ kind: 'datagram', socket: socketKey, from, bytes });
  }
}
