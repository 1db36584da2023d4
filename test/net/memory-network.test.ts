import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRng, VirtualClock } from '../../names/index.ts';
import { MemoryNetwork, runVirtual } from '../../rendezvous/net/index.ts';
import type { Address, LinkSettings, MemoryTransport } from '../../rendezvous/net/index.ts';

/** What the in-memory network adds beyond the transport contract: seeded faults for simulators. */
function setup(seed: number, defaults: Partial<LinkSettings> = {}) {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, rng: seededRng(seed), defaults });
  const a = network.bind('10.0.0.1:1000');
  const b = network.bind('10.0.0.2:2000');
  const arrivals: { index: number; atMs: number; from: Address }[] = [];
  b.onDatagram((bytes, from) => arrivals.push({ index: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0), atMs: clock.nowMs(), from }));
  const send = (from: MemoryTransport, to: MemoryTransport, index: number, size = 100): void => {
    const bytes = new Uint8Array(size);
    new DataView(bytes.buffer).setUint32(0, index);
    from.send(bytes, to.localAddress);
  };
  const drain = (): void => void runVirtual(clock, {});
  return { clock, network, a, b, arrivals, send, drain };
}

test('loss and duplication follow their rates', () => {
  const lossy = setup(1, { lossRate: 0.3 });
  for (let index = 0; index < 10_000; index++) lossy.send(lossy.a, lossy.b, index);
  lossy.drain();
  assert.ok(Math.abs(lossy.arrivals.length - 7000) < 300, `${lossy.arrivals.length} of 10000 arrived at 30% loss`);
  assert.equal(lossy.network.stats.lost + lossy.arrivals.length, 10_000);
  const doubled = setup(2, { duplicateRate: 0.2 });
  for (let index = 0; index < 10_000; index++) doubled.send(doubled.a, doubled.b, index);
  doubled.drain();
  assert.ok(Math.abs(doubled.arrivals.length - 12_000) < 300, `${doubled.arrivals.length} arrivals at 20% duplication`);
  const copies = new Map<number, number>();
  for (const { index } of doubled.arrivals) copies.set(index, (copies.get(index) ?? 0) + 1);
  assert.equal(copies.size, 10_000);
  assert.ok([...copies.values()].every((count) => count <= 2), 'at most one extra copy');
});

test('delay is exact, jitter keeps a link FIFO, reordering lets datagrams overtake', () => {
  const timed = setup(3, { delayMs: 25 });
  timed.send(timed.a, timed.b, 0);
  timed.drain();
  assert.deepEqual(timed.arrivals.map(({ atMs }) => atMs), [25]);
  const jittery = setup(4, { delayMs: 10, jitterMs: 20 });
  for (let index = 0; index < 1000; index++) jittery.send(jittery.a, jittery.b, index);
  jittery.drain();
  assert.deepEqual(jittery.arrivals.map(({ index }) => index), Array.from({ length: 1000 }, (_, index) => index), 'FIFO');
  const shuffled = setup(5, { delayMs: 10, reorderRate: 0.2, reorderDelayMs: 30 });
  for (let index = 0; index < 1000; index++) {
    shuffled.send(shuffled.a, shuffled.b, index);
    shuffled.clock.advanceBy(0.1);
  }
  shuffled.drain();
  const overtaken = shuffled.arrivals.filter((arrival, position) => position > 0 && arrival.index < shuffled.arrivals[position - 1]!.index).length;
  assert.equal(shuffled.arrivals.length, 1000);
  assert.ok(overtaken > 50, `${overtaken} datagrams arrived after a later one`);
});

test('bandwidth spaces datagrams and a full link queue drops the tail', () => {
  const narrow = setup(6, { delayMs: 5, bandwidthBytesPerSecond: 1_000_000, queueBytesMax: 10_000 });
  for (let index = 0; index < 50; index++) narrow.send(narrow.a, narrow.b, index, 1000);
  narrow.drain();
  assert.equal(narrow.arrivals.length, 10, 'the queue holds 10 datagrams of 1000 B');
  assert.equal(narrow.network.stats.queueDropped, 40);
  const gaps = narrow.arrivals.slice(1).map((arrival, position) => arrival.atMs - narrow.arrivals[position]!.atMs);
  assert.ok(gaps.every((gap) => Math.abs(gap - 1) < 1e-9), `1000 B at 1 MB/s is 1 ms apart: ${gaps.join(',')}`);
  assert.equal(narrow.arrivals[0]!.atMs, 6, 'serialization then propagation');
});

test('per-link settings, host selectors, partitions and heal', () => {
  const net = setup(7);
  const c = net.network.bind('10.0.0.3:3000');
  net.network.setLink(net.a.localAddress, net.b.localAddress, { lossRate: 1 });
  net.send(net.a, net.b, 1);
  net.send(c, net.b, 2);
  net.drain();
  assert.deepEqual(net.arrivals.map(({ index }) => index), [2], 'only the a → b link is cut');
  net.network.setLink('10.0.0.3', '10.0.0.2', { delayMs: 40 });
  const before = net.clock.nowMs();
  net.send(c, net.b, 3);
  net.drain();
  assert.equal(net.arrivals.at(-1)!.atMs - before, 40, 'a host selector matches every port');
  net.network.partition(['10.0.0.3'], [net.b.localAddress]);
  net.send(c, net.b, 4);
  net.drain();
  assert.equal(net.arrivals.at(-1)!.index, 3, 'partitioned');
  assert.equal(net.network.stats.partitionDropped, 1);
  net.network.heal();
  net.send(c, net.b, 5);
  net.drain();
  assert.equal(net.arrivals.at(-1)!.index, 5, 'healed');
});

test('hooks model middleboxes: rewrite or drop', () => {
  const net = setup(8);
  const remove = net.network.addHook((packet) => {
    if (new DataView(packet.bytes.buffer, packet.bytes.byteOffset).getUint32(0) === 13) return undefined;
    return { ...packet, from: '203.0.113.7:40000' };
  });
  net.send(net.a, net.b, 12);
  net.send(net.a, net.b, 13);
  net.drain();
  assert.deepEqual(net.arrivals.map(({ index, from }) => `${index}@${from}`), ['12@203.0.113.7:40000']);
  assert.equal(net.network.stats.hookDropped, 1);
  remove();
  net.send(net.a, net.b, 14);
  net.drain();
  assert.equal(net.arrivals.at(-1)!.from, net.a.localAddress);
});

test('many endpoints, and the same seed replays the same run', () => {
  const trace = (seed: number): string => {
    const clock = new VirtualClock();
    const network = new MemoryNetwork({ clock, rng: seededRng(seed), defaults: { lossRate: 0.1, duplicateRate: 0.1, reorderRate: 0.1, reorderDelayMs: 20, jitterMs: 5 } });
    const endpoints = Array.from({ length: 30 }, () => network.bind());
    const lines: string[] = [];
    endpoints.forEach((endpoint, index) => endpoint.onDatagram((bytes, from) => lines.push(`${clock.nowMs().toFixed(3)} ${from}>${index}:${bytes[0]}`)));
    for (let round = 0; round < 20; round++) {
      for (const [index, endpoint] of endpoints.entries()) endpoint.send(new Uint8Array([round]), endpoints[(index * 7 + round) % endpoints.length]!.localAddress);
      clock.advanceBy(1);
    }
    runVirtual(clock, {});
    return lines.join('\n');
  };
  const first = trace(42);
  assert.ok(first.split('\n').length > 500, 'datagrams flowed between many endpoints');
  assert.equal(trace(42), first);
  assert.notEqual(trace(43), first);
});
