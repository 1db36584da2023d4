import { bytesToHex, concatBytes, seededRng, VirtualClock, type Rng, type TimerHandle } from '../../names/index.ts';
import {
  createRendezvousClient,
  decodeWith,
  encodeWith,
  rendezvousClientStep,
  rendezvousRegistry,
  routeDatagram,
  type AgentRef,
  type ClassifyResult,
  type ClientRoute,
  type RendezvousClientEffect,
  type RendezvousClientEvent,
  type RendezvousClientState,
  type RendezvousMessage,
} from '../../rendezvous/index.ts';
import type { Address } from '../../rendezvous/net/index.ts';
import { agentEndpoints, createRendezvousAgent, rendezvousAgentStep, type AgentEndpointName, type RendezvousAgentEvent, type RendezvousAgentState } from '../../agent/rendezvous/index.ts';
import { SimInternet, SimPublicEndpoint, SimRouter, type SimHostSpec, type SimSocket } from './nat-sim.ts';

/**
 * A seeded world for the rendezvous cores: one agent (four UDP endpoints, as in the lab) and
 * wallets behind simulated NATs, all on one VirtualClock. The agent and wallet shells here do
 * what the real socket shells will: route datagrams by first byte, feed the pure cores, and
 * carry out their effects. The encrypted session is stood in for by a plain frame
 * `0x07 ‖ sender key (32) ‖ msgpack message` (0x07 is the session transport type), and peer
 * data by `0x05 ‖ text`, so the demultiplexing is the real one.
 */
const sessionFrame = 0x07;
const peerDataFrame = 0x05;
export const agentName = 'agent2';

export class SimWorld {
  readonly clock = new VirtualClock(0);
  readonly rng: Rng;
  readonly internet: SimInternet;
  readonly agent: SimAgent;
  readonly seed: number;

  constructor(seed: number, options: { delayMs?: number; jitterMs?: number; lossRate?: number } = {}) {
    this.seed = seed;
    this.rng = seededRng(seed);
    this.internet = new SimInternet(this.clock, this.rng, options.delayMs ?? 10, options.jitterMs ?? 4);
    if (options.lossRate !== undefined) this.internet.network.setDefaults({ lossRate: options.lossRate });
    this.agent = new SimAgent(this);
  }

  /** A router at 198.18.<index>.2 with its hosts at 10.77.<index>.<2..>. */
  router(index: number, spec: SimHostSpec, hostCount = 1): SimRouter {
    const lanHosts = Array.from({ length: hostCount }, (_, host) => `10.77.${index}.${host + 2}`);
    return new SimRouter(this.internet, spec, `198.18.${index}.2`, lanHosts);
  }

  wallet(name: string, router: SimRouter, hostIndex = 0): SimWallet {
    return new SimWallet(this, name, router, router.lanHosts[hostIndex]!);
  }

  /** Runs timers until `until()` holds or `forMs` pass; returns whether it held. */
  runUntil(until: () => boolean, forMs: number): boolean {
    const endMs = this.clock.nowMs() + forMs;
    if (until()) return true;
    for (;;) {
      const nextMs = this.clock.nextTimerMs();
      if (nextMs === undefined || nextMs > endMs) {
        this.clock.advanceTo(endMs);
        return until();
      }
      this.clock.advanceTo(nextMs);
      if (until()) return true;
    }
  }
}

export class SimAgent {
  readonly world: SimWorld;
  readonly endpoints: Record<AgentEndpointName, SimPublicEndpoint>;
  readonly primary: Address;
  readonly ref: AgentRef;
  readonly wallets = new Map<string, { key: Uint8Array; name: string | undefined }>();
  readonly logs: { code: string; message: string }[] = [];
  state: RendezvousAgentState;
  #lastAddress = new Map<string, Address>();
  #timer: TimerHandle | undefined;

  constructor(world: SimWorld) {
    this.world = world;
    const addresses = agentEndpoints('198.18.0.2', '198.18.0.3', 3478, 3479);
    this.primary = addresses.primary;
    this.ref = { id: agentName, address: addresses.primary };
    this.endpoints = {
      primary: new SimPublicEndpoint(world.internet, addresses.primary),
      otherPort: new SimPublicEndpoint(world.internet, addresses.otherPort!),
      otherAddress: new SimPublicEndpoint(world.internet, addresses.otherAddress!),
      otherAddressPort: new SimPublicEndpoint(world.internet, addresses.otherAddressPort!),
    };
    this.state = createRendezvousAgent({ agentName, endpoints: addresses, rng: world.rng }, world.clock.nowMs());
    for (const [name, endpoint] of Object.entries(this.endpoints) as [AgentEndpointName, SimPublicEndpoint][]) {
      endpoint.onDatagram = (bytes, from) => this.#receive(name, bytes, from);
    }
  }

  #receive(endpoint: AgentEndpointName, bytes: Uint8Array, from: Address): void {
    if (bytes[0] === sessionFrame && endpoint === 'primary') {
      const keyHex = bytesToHex(bytes.subarray(1, 33));
      const wallet = this.wallets.get(keyHex);
      const decoded = decodeWith(rendezvousRegistry, bytes.subarray(33));
      if (wallet === undefined || !decoded.ok) return;
      this.#lastAddress.set(keyHex, from);
      this.step({ kind: 'message', wallet: { key: wallet.key, keyHex, name: wallet.name }, from, message: decoded.message });
      return;
    }
    this.step({ kind: 'datagram', endpoint, from, bytes });
  }

  step(event: RendezvousAgentEvent): void {
    const { effects } = rendezvousAgentStep(this.state, event, this.world.clock.nowMs());
    for (const effect of effects) {
      if (effect.kind === 'send-message') {
        const to = this.#lastAddress.get(effect.walletKeyHex);
        if (to !== undefined) this.endpoints.primary.send(frame(new Uint8Array(32), effect.message), to);
      } else if (effect.kind === 'send-datagram') {
        this.endpoints[effect.from].send(effect.bytes, effect.to);
      } else if (effect.kind === 'timer') {
        if (this.#timer !== undefined) this.world.clock.clearTimer(this.#timer);
        this.#timer = this.world.clock.setTimer(effect.atMs - this.world.clock.nowMs(), () => this.step({ kind: 'tick' }));
      } else {
        this.logs.push(effect);
      }
    }
  }
}

export class SimWallet {
  readonly world: SimWorld;
  readonly name: string;
  readonly key: Uint8Array;
  readonly keyHex: string;
  readonly router: SimRouter;
  readonly host: string;
  readonly sockets = new Map<string, SimSocket>();
  readonly received: { from: Address; socket: string; text: string; via: 'direct' | 'relayed' }[] = [];
  readonly routes: { peerKeyHex: string; route: ClientRoute; connectMs: number; atMs: number }[] = [];
  readonly logs: { code: string; message: string }[] = [];
  readonly outcomes: { kind: string; detail: string }[] = [];
  classified: ClassifyResult | undefined;
  state: RendezvousClientState;
  extraSocketsOpened = 0;
  #timer: TimerHandle | undefined;

  constructor(world: SimWorld, name: string, router: SimRouter, host: string) {
    this.world = world;
    this.name = name;
    this.router = router;
    this.host = host;
    this.key = world.rng.bytes(32);
    this.keyHex = bytesToHex(this.key);
    world.agent.wallets.set(this.keyHex, { key: this.key, name });
    const main = this.#open('main', 40_000);
    this.state = createRendezvousClient({ home: world.agent.ref, localAddresses: [main.address], rng: world.rng });
  }

  get mainAddress(): Address {
    return this.sockets.get('main')!.address;
  }

  /** The latest route to a peer. */
  routeTo(peer: SimWallet): ClientRoute | undefined {
    return this.state.peers.get(peer.keyHex)?.path.route;
  }

  start(): void {
    this.step({ kind: 'start' });
  }

  connect(target: string): void {
    this.step({ kind: 'connect', target, agent: this.world.agent.ref });
  }

  sendData(peer: SimWallet, text: string): boolean {
    const routed = routeDatagram(this.state, peer.keyHex, concatBytes(Uint8Array.of(peerDataFrame), new TextEncoder().encode(text)));
    if (routed === undefined) return false;
    this.sockets.get(routed.socket)?.send(routed.bytes, routed.to);
    return true;
  }

  step(event: RendezvousClientEvent): void {
    const { effects } = rendezvousClientStep(this.state, event, this.world.clock.nowMs());
    for (const effect of effects) this.#apply(effect);
  }

  #apply(effect: RendezvousClientEffect): void {
    const nowMs = this.world.clock.nowMs();
    switch (effect.kind) {
      case 'agent-message':
        this.sockets.get('main')!.send(frame(this.key, effect.message), effect.agent.address);
        break;
      case 'send':
        this.sockets.get(effect.socket)?.send(effect.bytes, effect.to, effect.ttl);
        break;
      case 'open-sockets':
        for (let index = 1; index <= effect.count; index++) this.#open(`${effect.owner}/${index}`, 0);
        this.extraSocketsOpened += effect.count;
        break;
      case 'close-sockets':
        for (const [key, socket] of [...this.sockets]) {
          if (key.startsWith(`${effect.owner}/`) && key !== effect.keep) {
            socket.close();
            this.sockets.delete(key);
          }
        }
        break;
      case 'timer':
        if (this.#timer !== undefined) this.world.clock.clearTimer(this.#timer);
        this.#timer = this.world.clock.setTimer(effect.atMs - nowMs, () => this.step({ kind: 'tick' }));
        break;
      case 'route':
        this.routes.push({ peerKeyHex: effect.peerKeyHex, route: effect.route, connectMs: effect.connectMs, atMs: nowMs });
        break;
      case 'deliver':
        this.#peerData(effect.bytes, this.world.agent.primary, 'main', 'relayed');
        break;
      case 'classified':
        this.classified = effect.result;
        break;
      case 'log':
        this.logs.push(effect);
        break;
      default:
        this.outcomes.push({ kind: effect.kind, detail: JSON.stringify(effect) });
    }
  }

  #open(key: string, port: number): SimSocket {
    const socket = this.router.bind(this.host, port);
    socket.onDatagram = (bytes, from) => this.#receive(key, bytes, from);
    this.sockets.set(key, socket);
    return socket;
  }

  #receive(socket: string, bytes: Uint8Array, from: Address): void {
    if (bytes[0] === sessionFrame) {
      const decoded = decodeWith(rendezvousRegistry, bytes.subarray(33));
      if (decoded.ok && from === this.world.agent.primary && socket === 'main') this.step({ kind: 'agent-message', agent: this.world.agent.ref, message: decoded.message });
      return;
    }
    if (bytes[0] === peerDataFrame) return this.#peerData(bytes, from, socket, 'direct');
    this.step({ kind: 'datagram', socket, from, bytes });
  }

  #peerData(bytes: Uint8Array, from: Address, socket: string, via: 'direct' | 'relayed'): void {
    this.received.push({ from, socket, text: new TextDecoder().decode(bytes.subarray(1)), via });
  }
}

function frame(senderKey: Uint8Array, message: RendezvousMessage): Uint8Array {
  return concatBytes(Uint8Array.of(sessionFrame), senderKey, encodeWith(rendezvousRegistry, message));
}
