import { schnorrPublicKey, seededRng, systemClock, systemRng, VirtualClock, type Clock, type Rng } from '../../names/index.ts';
import { MemoryNetwork, openUdpTransport, type Address, type DatagramTransport, type LinkSettings } from '../../rendezvous/net/index.ts';
import { rngX25519Dh } from '../../rendezvous/noise/index.ts';
import { createEndpoint, type Endpoint, type EndpointOptions } from '../../rendezvous/socket/index.ts';

/**
 * The worlds the socket compliance suite runs in (STYLE 11): a seeded in-memory network on a
 * virtual clock, and real UDP on loopback with the system clock. A test only talks to the world
 * through this interface, so the same test body runs in both.
 */
export interface TestEndpoint {
  endpoint: Endpoint;
  identity: { secretKey: Uint8Array; publicKey: Uint8Array };
  /** Every line the endpoint logged (dropped packets with their reasons). */
  logs: string[];
}

export interface SocketWorld {
  readonly name: string;
  readonly seed: number;
  readonly clock: Clock;
  /** Present in the in-memory world: loss, duplication, reordering, partitions. */
  readonly network: MemoryNetwork | undefined;
  openTransport(): Promise<DatagramTransport>;
  /** An endpoint with a fresh identity on a fresh transport; closed by teardown(). */
  endpoint(options?: Partial<EndpointOptions>): Promise<TestEndpoint>;
  /** Lets (virtual or real) time run until the promise settles; rejects after `timeoutMs` of that time. */
  settle<T>(promise: Promise<T>, timeoutMs?: number): Promise<T>;
  /** Lets time run until `condition()` holds; false after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs?: number): Promise<boolean>;
  teardown(): Promise<void>;
}

const SETTLE_DEFAULT_MS = 60_000;

export function memoryWorld(seed: number, link: Partial<LinkSettings> = {}): SocketWorld {
  const clock = new VirtualClock();
  const rng = seededRng(seed);
  const network = new MemoryNetwork({ clock, rng: seededRng(seed + 1), defaults: { delayMs: 5, ...link } });
  const open: { close(): Promise<void> }[] = [];
  let identities = 0;
  const world: SocketWorld = {
    name: 'in-memory network',
    seed,
    clock,
    network,
    async openTransport() {
      const transport = network.bind();
      open.push(transport);
      return transport;
    },
    async endpoint(options = {}) {
      const endpointRng = seededRng(seed * 1000 + ++identities);
      // Deterministic ephemerals too, so a failing seed replays exactly.
      return makeEndpoint(await world.openTransport(), clock, endpointRng, { dh: rngX25519Dh(endpointRng), ...options }, open);
    },
    async settle(promise, timeoutMs = SETTLE_DEFAULT_MS) {
      let done = false;
      const watched = promise.finally(() => (done = true));
      watched.catch(() => {});
      const deadlineMs = clock.nowMs() + timeoutMs;
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve)); // let promise callbacks run
        if (done) return watched;
        // One timer per turn: a promise settles in a microtask, which no synchronous check can see.
        if (!stepVirtual(clock, deadlineMs, () => true)) {
          await new Promise((resolve) => setImmediate(resolve));
          if (done) return watched;
          throw new Error(`seed ${seed}: nothing settled within ${timeoutMs} ms of virtual time`);
        }
      }
    },
    async until(condition, timeoutMs = SETTLE_DEFAULT_MS) {
      const deadlineMs = clock.nowMs() + timeoutMs;
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (condition()) return true;
        if (!stepVirtual(clock, deadlineMs, condition)) return condition();
      }
    },
    async teardown() {
      for (const item of open.reverse()) await item.close();
    },
  };
  return world;
}

/** Fires due timers (up to a batch) so promise callbacks can run between batches; false when none is due before the deadline. */
function stepVirtual(clock: VirtualClock, deadlineMs: number, stop: () => boolean): boolean {
  for (let fired = 0; fired < 256; fired++) {
    const nextMs = clock.nextTimerMs();
    if (nextMs === undefined || nextMs > deadlineMs) return fired > 0;
    clock.advanceTo(nextMs);
    if (stop()) return true;
  }
  return true;
}

/** `native: false`: node:dgram alone, without the batched native path (rendezvous/native/). */
export function udpWorld(seed: number, options: { native?: boolean } = {}): SocketWorld {
  const open: { close(): Promise<void> }[] = [];
  const world: SocketWorld = {
    name: options.native === false ? 'UDP on loopback, node:dgram alone' : 'UDP on loopback',
    seed,
    clock: systemClock,
    network: undefined,
    async openTransport() {
      const transport = await openUdpTransport({ native: options.native ?? true });
      open.push(transport);
      return transport;
    },
    async endpoint(options = {}) {
      return makeEndpoint(await world.openTransport(), systemClock, systemRng, options, open);
    },
    async settle(promise, timeoutMs = SETTLE_DEFAULT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`nothing settled within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([promise, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async until(condition, timeoutMs = SETTLE_DEFAULT_MS) {
      const deadline = performance.now() + timeoutMs;
      while (!condition()) {
        if (performance.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return true;
    },
    async teardown() {
      for (const item of open.reverse()) await item.close();
    },
  };
  return world;
}

function makeEndpoint(transport: DatagramTransport, clock: Clock, rng: Rng, options: Partial<EndpointOptions>, open: { close(): Promise<void> }[]): TestEndpoint {
  const secretKey = rng.bytes(32);
  const identity = { secretKey, publicKey: schnorrPublicKey(secretKey) };
  const logs: string[] = [];
  const endpoint = createEndpoint({ transport, clock, rng, identity, log: (line) => logs.push(line), ...options });
  open.push(endpoint);
  return { endpoint, identity, logs };
}

/**
 * A NAT in front of a client, built from two transports of the world: the client sends to
 * `inside`; the NAT forwards from its current outside transport, and `rebind()` swaps that for a
 * new one (a new source address, as when a NAT mapping expires or a phone changes networks).
 */
export async function rebindingNat(world: SocketWorld, server: Address): Promise<{ inside: Address; outside(): Address; rebind(): Promise<void> }> {
  const inside = await world.openTransport();
  let client: Address | undefined;
  let outside = await world.openTransport();
  const wire = (transport: DatagramTransport): void => {
    transport.onDatagram((bytes, from) => {
      if (from === server && client !== undefined) inside.send(bytes, client);
    });
  };
  inside.onDatagram((bytes, from) => {
    client = from;
    outside.send(bytes, server);
  });
  wire(outside);
  return {
    inside: inside.localAddress,
    outside: () => outside.localAddress,
    async rebind() {
      const old = outside;
      outside = await world.openTransport();
      wire(outside);
      await old.close();
    },
  };
}

/** Deterministic message bodies: the index in the first bytes, then a pattern. */
export function messageOf(index: number, size: number, rng: Rng): Uint8Array {
  const message = size <= 64 ? rng.bytes(size) : new Uint8Array(size);
  if (size > 64) {
    message.set(rng.bytes(64));
    for (let offset = 64; offset < size; offset++) message[offset] = (offset * 31 + index) & 0xff;
  }
  if (size >= 4) new DataView(message.buffer).setUint32(0, index);
  return message;
}
