import type { Rng, VirtualClock } from '../../names/index.ts';
import { formatAddress, MemoryNetwork, parseAddress, type Address, type MemoryTransport } from '../../rendezvous/net/index.ts';

/**
 * Simulated Linux (netfilter) NATs on the in-memory network, modelled on what DESIGN.md
 * measured in the namespace lab (test/lab/netlab.ts builds the real ones):
 *
 *   host ── LAN ── router (NAT, conntrack, optional INPUT firewall) ── internet router ── …
 *
 * - Datagrams on the in-memory "internet" carry a 1-byte IP TTL in front of the payload. The
 *   internet router (a hook on the network) decrements it and drops at 1, like a real hop;
 *   a NAT router decrements what it forwards and refuses to forward TTL ≤ 1 (no state is kept
 *   for such a packet: it never leaves, so conntrack never confirms it).
 * - Mapping is per flow, as in conntrack: MASQUERADE keeps the host's source port unless the
 *   (public port, remote) pair is taken, which makes it endpoint-independent in practice;
 *   `--random-fully` (symmetric) picks a random port for every new flow.
 * - Filtering: a packet matching a flow's reply direction is forwarded (port-restricted);
 *   full cone adds a DNAT of every inbound port to the host. Anything else is for the router
 *   itself: dropped by the INPUT firewall, or, with no firewall, *recorded as a flow* (a
 *   "ghost"). A later outbound flow whose reply tuple equals a ghost is re-mapped to another
 *   port: the conntrack conflict that breaks a naive punch.
 * - An open host has no router: its own conntrack and firewall, and no TTL of its own to spend.
 */
export type SimNatKind = 'open' | 'full-cone' | 'port-restricted' | 'symmetric';
export interface SimHostSpec {
  readonly nat: SimNatKind;
  readonly firewall: boolean;
}

export const ttlDefault = 64;
const unrepliedTimeoutMs = 30_000;
const repliedTimeoutMs = 120_000;

export class SimInternet {
  readonly network: MemoryNetwork;
  readonly clock: VirtualClock;
  readonly rng: Rng;
  readonly stats = { ttlExpired: 0 };

  constructor(clock: VirtualClock, rng: Rng, delayMs: number, jitterMs: number) {
    this.clock = clock;
    this.rng = rng;
    this.network = new MemoryNetwork({ clock, rng, defaults: { delayMs, jitterMs } });
    // The internet router: one hop for everything that crosses the internet.
    this.network.addHook((packet) => {
      const ttl = packet.bytes[0] ?? 0;
      if (ttl <= 1) {
        this.stats.ttlExpired++;
        return undefined;
      }
      const bytes = packet.bytes.slice();
      bytes[0] = ttl - 1;
      return { ...packet, bytes };
    });
  }
}

interface Flow {
  /** The host endpoint; undefined for a ghost (a packet for the router itself). */
  readonly internal: Address | undefined;
  readonly externalPort: number;
  readonly remote: Address;
  lastMs: number;
  replied: boolean;
}

export type DatagramSink = (bytes: Uint8Array, from: Address) => void;

/** A UDP socket on a simulated host. */
export class SimSocket {
  readonly address: Address;
  readonly router: SimRouter;
  onDatagram: DatagramSink = () => {};
  closed = false;

  constructor(router: SimRouter, address: Address) {
    this.router = router;
    this.address = address;
  }

  send(bytes: Uint8Array, to: Address, ttl = ttlDefault): void {
    if (this.closed) return;
    this.router.fromHost(this, bytes.slice(), to, ttl);
  }

  close(): void {
    this.closed = true;
    this.router.unbindSocket(this);
  }
}

export class SimRouter {
  readonly internet: SimInternet;
  readonly spec: SimHostSpec;
  /** The router's public address (the host's own when open). */
  readonly publicHost: string;
  /** Hosts on the LAN (one, or several for the same-NAT case). */
  readonly lanHosts: string[];
  readonly lanDelayMs: number;
  readonly stats = { ghosts: 0, remaps: 0, firewallDrops: 0, filtered: 0, ttlExpired: 0 };
  readonly #flows: Flow[] = [];
  readonly #sockets = new Map<Address, SimSocket>();
  readonly #publicEndpoints = new Map<number, MemoryTransport>();

  constructor(internet: SimInternet, spec: SimHostSpec, publicHost: string, lanHosts: string[], lanDelayMs = 1) {
    this.internet = internet;
    this.spec = spec;
    this.publicHost = publicHost;
    this.lanHosts = spec.nat === 'open' ? [publicHost] : lanHosts;
    this.lanDelayMs = spec.nat === 'open' ? 0 : lanDelayMs;
    // Every port of the public address reaches the router (the in-memory network delivers only
    // to bound endpoints, so bind the port as a packet heads for it).
    internet.network.addHook((packet) => {
      const destination = parseAddress(packet.to);
      if (destination?.host === this.publicHost) this.#publicEndpoint(destination.port);
      return packet;
    });
  }

  /** Binds a socket on a LAN host (`port` 0: a random free ephemeral port, as the kernel does). */
  bind(host: string, port = 0): SimSocket {
    let chosen = port;
    while (chosen === 0 || this.#sockets.has(formatAddress(host, chosen))) chosen = 32_768 + this.internet.rng.below(28_232);
    const address = formatAddress(host, chosen);
    const socket = new SimSocket(this, address);
    this.#sockets.set(address, socket);
    return socket;
  }

  unbindSocket(socket: SimSocket): void {
    this.#sockets.delete(socket.address);
  }

  /** A host socket sends: on the LAN directly, else through the router. */
  fromHost(socket: SimSocket, bytes: Uint8Array, to: Address, ttl: number): void {
    const destination = parseAddress(to);
    if (destination === undefined) return;
    const delay = (callback: () => void): void => void this.internet.clock.setTimer(this.lanDelayMs, callback);
    if (this.spec.nat !== 'open' && this.lanHosts.includes(destination.host)) {
      delay(() => this.#deliverToHost(to, bytes, socket.address));
      return;
    }
    delay(() => this.#outbound(socket.address, to, bytes, ttl));
  }

  #outbound(internal: Address, to: Address, bytes: Uint8Array, ttl: number): void {
    const nowMs = this.internet.clock.nowMs();
    this.#expire(nowMs);
    let sendTtl = ttl;
    if (this.spec.nat !== 'open') {
      // Forwarding spends one TTL; a packet that cannot be forwarded leaves no state behind.
      if (ttl <= 1) {
        this.stats.ttlExpired++;
        return;
      }
      sendTtl = ttl - 1;
    }
    let flow = this.#flows.find((candidate) => candidate.internal === internal && candidate.remote === to);
    if (flow === undefined) {
      flow = { internal, externalPort: this.#choosePort(internal, to), remote: to, lastMs: nowMs, replied: false };
      this.#flows.push(flow);
    }
    flow.lastMs = nowMs;
    this.#publicEndpoint(flow.externalPort).send(withTtl(sendTtl, bytes), to);
  }

  #choosePort(internal: Address, remote: Address): number {
    const internalPort = parseAddress(internal)!.port;
    if (this.spec.nat === 'open') return internalPort;
    const taken = (port: number): boolean => this.#flows.some((flow) => flow.externalPort === port && flow.remote === remote);
    if (this.spec.nat !== 'symmetric' && !taken(internalPort)) return internalPort;
    if (this.spec.nat !== 'symmetric') this.stats.remaps++;
    for (;;) {
      const port = 1024 + this.internet.rng.below(65_535 - 1024 + 1);
      if (!taken(port)) return port;
    }
  }

  #inbound(externalPort: number, from: Address, framed: Uint8Array): void {
    const nowMs = this.internet.clock.nowMs();
    this.#expire(nowMs);
    const ttl = framed[0] ?? 0;
    const bytes = framed.subarray(1);
    let flow = this.#flows.find((candidate) => candidate.externalPort === externalPort && candidate.remote === from);
    if (flow?.internal === undefined && this.spec.nat === 'full-cone') {
      // DNAT of every inbound UDP port to the (first) LAN host: endpoint-independent filtering.
      flow = { internal: formatAddress(this.lanHosts[0]!, externalPort), externalPort, remote: from, lastMs: nowMs, replied: false };
      this.#flows.push(flow);
    } else if (flow === undefined && this.spec.nat === 'open' && !this.spec.firewall) {
      flow = { internal: formatAddress(this.publicHost, externalPort), externalPort, remote: from, lastMs: nowMs, replied: false };
      this.#flows.push(flow);
    }
    if (flow?.internal === undefined) {
      // For the router itself: the firewall drops it, or conntrack remembers it.
      if (this.spec.firewall) this.stats.firewallDrops++;
      else if (flow === undefined && this.spec.nat !== 'open') {
        this.#flows.push({ internal: undefined, externalPort, remote: from, lastMs: nowMs, replied: false });
        this.stats.ghosts++;
      } else this.stats.filtered++;
      return;
    }
    if (this.spec.nat !== 'open' && ttl <= 1) {
      this.stats.ttlExpired++;
      return;
    }
    flow.lastMs = nowMs;
    flow.replied = true;
    const internal = flow.internal;
    this.internet.clock.setTimer(this.lanDelayMs, () => this.#deliverToHost(internal, bytes.slice(), from));
  }

  #deliverToHost(to: Address, bytes: Uint8Array, from: Address): void {
    const socket = this.#sockets.get(to);
    if (socket !== undefined && !socket.closed) socket.onDatagram(bytes, from);
  }

  #publicEndpoint(port: number): MemoryTransport {
    let endpoint = this.#publicEndpoints.get(port);
    if (endpoint === undefined) {
      endpoint = this.internet.network.bind(formatAddress(this.publicHost, port));
      endpoint.onDatagram((framed, from) => this.#inbound(port, from, framed));
      this.#publicEndpoints.set(port, endpoint);
    }
    return endpoint;
  }

  #expire(nowMs: number): void {
    for (let index = this.#flows.length - 1; index >= 0; index--) {
      const flow = this.#flows[index]!;
      if (nowMs - flow.lastMs >= (flow.replied ? repliedTimeoutMs : unrepliedTimeoutMs)) this.#flows.splice(index, 1);
    }
  }

  /** For assertions: how many flows (ghosts included) the router tracks. */
  get flowCount(): number {
    return this.#flows.length;
  }
}

/** An internet host with a public address and no NAT, for the agent: frames carry the TTL byte. */
export class SimPublicEndpoint {
  readonly transport: MemoryTransport;
  onDatagram: DatagramSink = () => {};

  constructor(internet: SimInternet, address: Address) {
    this.transport = internet.network.bind(address);
    this.transport.onDatagram((framed, from) => this.onDatagram(framed.subarray(1).slice(), from));
  }

  send(bytes: Uint8Array, to: Address): void {
    this.transport.send(withTtl(ttlDefault, bytes), to);
  }
}

function withTtl(ttl: number, bytes: Uint8Array): Uint8Array {
  const framed = new Uint8Array(bytes.length + 1);
  framed[0] = ttl;
  framed.set(bytes, 1);
  return framed;
}
