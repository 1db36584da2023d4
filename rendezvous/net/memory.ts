import type { Clock, Rng, TimerHandle, VirtualClock } from '../../names/index.ts';
import { netDatagramBytesMax } from '../constants.ts';
import { EventQueue } from './event-queue.ts';
import { ignoreTransportLog, isAddress, parseAddress } from './transport.ts';
import type { Address, DatagramHandler, DatagramTransport, SendOptions, TransportLog } from './transport.ts';

/**
 * A seeded in-memory datagram network on an injected clock (normally a VirtualClock), for
 * the channel tests today and the consensus and NAT simulators later (STYLE 3). Every random
 * choice comes from the injected Rng, and deliveries due at the same time run in send order,
 * so a seed replays exactly.
 *
 * A datagram's path: hooks (middleboxes: NATs, firewalls; they may rewrite or drop) →
 * partition → size limit → loss → link queue (bandwidth, tail drop) → delay + jitter
 * (a link is FIFO: jitter never reorders; a datagram picked for reordering is held back by an
 * extra delay and later ones overtake it) → delivery, and possibly a duplicate copy.
 * Link settings are looked up for the (from, to) pair after the hooks, most specific first:
 * address→address, host→host, then the network defaults.
 */
export interface LinkSettings {
  /** Probability in [0, 1] that a datagram is lost. */
  lossRate: number;
  /** Probability that a delivered datagram is delivered a second time. */
  duplicateRate: number;
  /** Probability that a datagram is held back by an extra uniform [0, reorderDelayMs) and overtaken. */
  reorderRate: number;
  reorderDelayMs: number;
  /** One-way propagation delay. */
  delayMs: number;
  /** Extra uniform [0, jitterMs) per datagram; the link stays first-in first-out (queueing delay). */
  jitterMs: number;
  /** Serialization rate of the link; Infinity for none. */
  bandwidthBytesPerSecond: number;
  /** Bytes the link may hold waiting for its bandwidth; a datagram beyond it is tail-dropped. */
  queueBytesMax: number;
  /** Larger datagrams are dropped (like an MTU with the don't-fragment bit). */
  datagramBytesMax: number;
}

export const perfectLink: LinkSettings = {
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelayMs: 0,
  delayMs: 1,
  jitterMs: 0,
  bandwidthBytesPerSecond: Infinity,
  queueBytesMax: Infinity,
  datagramBytesMax: netDatagramBytesMax,
};

export interface Packet {
  from: Address;
  to: Address;
  bytes: Uint8Array;
  /** The IP TTL the sender set for this datagram (sendWithOptions); hooks may model hops with it. */
  ttl?: number;
}

/** A middlebox on every path: returns the packet (possibly rewritten) or undefined to drop it. */
export type PacketHook = (packet: Packet, nowMs: number) => Packet | undefined;

export interface MemoryNetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  queueDropped: number;
  partitionDropped: number;
  hookDropped: number;
  oversizeDropped: number;
  unrouted: number;
}

/** A link selector: an exact address, or a bare host meaning every port on it. */
export type LinkEndpoint = Address | string;

export class MemoryNetwork {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly stats: MemoryNetworkStats = {
    sent: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    queueDropped: 0,
    partitionDropped: 0,
    hookDropped: 0,
    oversizeDropped: 0,
    unrouted: 0,
  };
  #defaults: LinkSettings;
  #links = new Map<string, LinkSettings>();
  #busyUntilMs = new Map<string, number>();
  /** Per link: when the last in-order datagram arrives, so jitter keeps the link FIFO. */
  #lastArrivalMs = new Map<string, number>();
  #cuts = new Set<string>();
  #hooks: PacketHook[] = [];
  #endpoints = new Map<Address, MemoryTransport>();
  #queue = new EventQueue<Packet>();
  #timer: { handle: TimerHandle; atMs: number } | undefined;
  #nextHost = 1;
  #log: TransportLog;

  constructor(options: { clock: Clock; rng: Rng; defaults?: Partial<LinkSettings>; log?: TransportLog }) {
    this.clock = options.clock;
    this.rng = options.rng;
    this.#defaults = checkSettings({ ...perfectLink, ...options.defaults });
    this.#log = options.log ?? ignoreTransportLog;
  }

  /** Opens an endpoint; without an address it gets a fresh host `10.0.x.y:1000`. */
  bind(address?: Address): MemoryTransport {
    const chosen = address ?? this.#freshAddress();
    if (!isAddress(chosen)) throw new RangeError(`memory network: bad address ${chosen}`);
    if (this.#endpoints.has(chosen)) throw new RangeError(`memory network: ${chosen} is already bound`);
    const transport = new MemoryTransport(this, chosen, this.#log);
    this.#endpoints.set(chosen, transport);
    return transport;
  }

  setDefaults(settings: Partial<LinkSettings>): void {
    this.#defaults = checkSettings({ ...this.#defaults, ...settings });
  }

  /** Overrides the settings of the directed link `from → to` (missing fields: the defaults). */
  setLink(from: LinkEndpoint, to: LinkEndpoint, settings: Partial<LinkSettings>): void {
    this.#links.set(linkKey(from, to), checkSettings({ ...this.#defaults, ...settings }));
  }

  setLinkBothWays(a: LinkEndpoint, b: LinkEndpoint, settings: Partial<LinkSettings>): void {
    this.setLink(a, b, settings);
    this.setLink(b, a, settings);
  }

  /** Cuts every path between the two groups, both ways, until `heal`. */
  partition(groupA: readonly LinkEndpoint[], groupB: readonly LinkEndpoint[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.#cuts.add(linkKey(a, b));
        this.#cuts.add(linkKey(b, a));
      }
    }
  }

  /** Restores every cut path (datagrams dropped meanwhile stay lost). */
  heal(): void {
    this.#cuts.clear();
  }

  /** Adds a middlebox; returns a function that removes it. */
  addHook(hook: PacketHook): () => void {
    this.#hooks.push(hook);
    return () => {
      this.#hooks = this.#hooks.filter((held) => held !== hook);
    };
  }

  /** Datagrams sent but not yet delivered or dropped. */
  get inFlight(): number {
    return this.#queue.size;
  }

  /** @internal called by MemoryTransport.send */
  transmit(from: Address, to: Address, bytes: Uint8Array, ttl?: number): void {
    this.stats.sent++;
    const nowMs = this.clock.nowMs();
    let packet: Packet | undefined = ttl === undefined ? { from, to, bytes: bytes.slice() } : { from, to, bytes: bytes.slice(), ttl };
    for (const hook of this.#hooks) {
      packet = hook(packet, nowMs);
      if (packet === undefined) {
        this.stats.hookDropped++;
        return;
      }
    }
    if (this.#isCut(packet.from, packet.to)) {
      this.stats.partitionDropped++;
      return;
    }
    const key = `${packet.from}|${packet.to}`;
    const link = this.#settingsFor(packet.from, packet.to);
    if (packet.bytes.length > link.datagramBytesMax) {
      this.stats.oversizeDropped++;
      return;
    }
    if (link.lossRate > 0 && this.rng.unit() < link.lossRate) {
      this.stats.lost++;
      return;
    }
    let departMs = nowMs;
    if (Number.isFinite(link.bandwidthBytesPerSecond)) {
      const busyUntilMs = Math.max(nowMs, this.#busyUntilMs.get(key) ?? nowMs);
      const queuedBytes = ((busyUntilMs - nowMs) * link.bandwidthBytesPerSecond) / 1000;
      if (queuedBytes + packet.bytes.length > link.queueBytesMax) {
        this.stats.queueDropped++;
        return;
      }
      departMs = busyUntilMs + (packet.bytes.length * 1000) / link.bandwidthBytesPerSecond;
      this.#busyUntilMs.set(key, departMs);
    }
    this.#schedule(this.#arrivalMs(key, departMs, link), packet);
    if (link.duplicateRate > 0 && this.rng.unit() < link.duplicateRate) {
      this.stats.duplicated++;
      this.#schedule(this.#arrivalMs(key, departMs, link), { ...packet, bytes: packet.bytes.slice() });
    }
  }

  /** @internal called by MemoryTransport.close */
  unbind(address: Address): void {
    this.#endpoints.delete(address);
  }

  #arrivalMs(key: string, departMs: number, link: LinkSettings): number {
    let arrivalMs = departMs + link.delayMs;
    if (link.jitterMs > 0) arrivalMs += this.rng.unit() * link.jitterMs;
    if (link.reorderRate > 0 && this.rng.unit() < link.reorderRate) return arrivalMs + this.rng.unit() * link.reorderDelayMs;
    arrivalMs = Math.max(arrivalMs, this.#lastArrivalMs.get(key) ?? arrivalMs);
    this.#lastArrivalMs.set(key, arrivalMs);
    return arrivalMs;
  }

  #schedule(atMs: number, packet: Packet): void {
    this.#queue.push(atMs, packet);
    this.#armTimer();
  }

  #armTimer(): void {
    const nextMs = this.#queue.peekMs();
    if (nextMs === undefined) return;
    if (this.#timer !== undefined) {
      if (this.#timer.atMs <= nextMs) return;
      this.clock.clearTimer(this.#timer.handle);
    }
    const handle = this.clock.setTimer(nextMs - this.clock.nowMs(), () => this.#deliverDue(nextMs));
    this.#timer = { handle, atMs: nextMs };
  }

  #deliverDue(firedForMs: number): void {
    this.#timer = undefined;
    // A real clock may fire a little early; deliver what the timer was armed for.
    const nowMs = Math.max(this.clock.nowMs(), firedForMs);
    for (;;) {
      const packet = this.#queue.popDue(nowMs);
      if (packet === undefined) break;
      const endpoint = this.#endpoints.get(packet.to);
      if (endpoint === undefined) {
        this.stats.unrouted++;
        continue;
      }
      this.stats.delivered++;
      endpoint.deliver(packet.bytes, packet.from);
    }
    this.#armTimer();
  }

  #isCut(from: Address, to: Address): boolean {
    if (this.#cuts.size === 0) return false;
    const fromHost = hostOf(from);
    const toHost = hostOf(to);
    return (
      this.#cuts.has(linkKey(from, to)) ||
      this.#cuts.has(linkKey(fromHost, toHost)) ||
      this.#cuts.has(linkKey(from, toHost)) ||
      this.#cuts.has(linkKey(fromHost, to))
    );
  }

  #settingsFor(from: Address, to: Address): LinkSettings {
    if (this.#links.size === 0) return this.#defaults;
    return (
      this.#links.get(linkKey(from, to)) ??
      this.#links.get(linkKey(hostOf(from), hostOf(to))) ??
      this.#links.get(linkKey(from, hostOf(to))) ??
      this.#links.get(linkKey(hostOf(from), to)) ??
      this.#defaults
    );
  }

  #freshAddress(): Address {
    for (;;) {
      const index = this.#nextHost++;
      const address: Address = `10.0.${index >> 8}.${index & 0xff}:1000`;
      if (!this.#endpoints.has(address)) return address;
    }
  }
}

/** One endpoint on a MemoryNetwork. */
export class MemoryTransport implements DatagramTransport {
  readonly localAddress: Address;
  #network: MemoryNetwork;
  #handler: DatagramHandler | undefined;
  #closed = false;
  #log: TransportLog;

  constructor(network: MemoryNetwork, localAddress: Address, log: TransportLog) {
    this.#network = network;
    this.localAddress = localAddress;
    this.#log = log;
  }

  send(bytes: Uint8Array, to: Address, ttl?: number): void {
    if (this.#closed) {
      this.#log({ code: 'NET_SEND_AFTER_CLOSE', message: `${this.localAddress}: send to ${to} after close` });
      return;
    }
    if (!isAddress(to)) {
      this.#log({ code: 'NET_BAD_ADDRESS', message: `${this.localAddress}: bad destination ${JSON.stringify(to)}` });
      return;
    }
    if (bytes.length > netDatagramBytesMax) {
      this.#log({ code: 'NET_DATAGRAM_TOO_LARGE', message: `${this.localAddress}: ${bytes.length} bytes exceed ${netDatagramBytesMax}` });
      return;
    }
    this.#network.transmit(this.localAddress, to, bytes, ttl);
  }

  /** The network takes the datagram at once; the TTL rides on the Packet for hooks to judge. */
  async sendWithOptions(bytes: Uint8Array, to: Address, options: SendOptions): Promise<void> {
    this.send(bytes, to, options.ttl);
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handler = undefined;
    this.#network.unbind(this.localAddress);
  }

  /** @internal called by the network */
  deliver(bytes: Uint8Array, from: Address): void {
    if (!this.#closed) this.#handler?.(bytes, from);
  }
}

/**
 * Runs a VirtualClock forward timer by timer until `until()` holds (checked after each
 * timer) or the clock would pass `untilMs`. Returns whether `until` held.
 */
export function runVirtual(clock: VirtualClock, options: { until?: () => boolean; untilMs?: number }): boolean {
  const untilMs = options.untilMs ?? Infinity;
  const until = options.until ?? (() => false);
  if (until()) return true;
  for (;;) {
    const nextMs = clock.nextTimerMs();
    if (nextMs === undefined || nextMs > untilMs) {
      if (Number.isFinite(untilMs)) clock.advanceTo(untilMs);
      return until();
    }
    clock.advanceTo(nextMs);
    if (until()) return true;
  }
}

function linkKey(from: LinkEndpoint, to: LinkEndpoint): string {
  return `${from}|${to}`;
}

function hostOf(address: Address): string {
  return parseAddress(address)?.host ?? address;
}

function checkSettings(settings: LinkSettings): LinkSettings {
  const probabilities = [settings.lossRate, settings.duplicateRate, settings.reorderRate];
  if (probabilities.some((value) => !(value >= 0 && value <= 1))) throw new RangeError('link settings: rates must be in [0, 1]');
  const durations = [settings.delayMs, settings.jitterMs, settings.reorderDelayMs];
  if (durations.some((value) => !(value >= 0 && Number.isFinite(value)))) throw new RangeError('link settings: delays must be finite and ≥ 0');
  if (!(settings.bandwidthBytesPerSecond > 0)) throw new RangeError('link settings: bandwidth must be > 0');
  if (!(settings.queueBytesMax >= 0) || !(settings.datagramBytesMax >= 0)) throw new RangeError('link settings: limits must be ≥ 0');
  return settings;
}
