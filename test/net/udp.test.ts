import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openUdpTransport } from '../../rendezvous/net/index.ts';
import type { Address, DatagramTransport, TransportLog, UdpTransport } from '../../rendezvous/net/index.ts';
import { loadUdpNative } from '../../rendezvous/net/native.ts';
import { pattern, transportComplianceSuite } from './compliance.ts';

// The suite runs on both paths: node:dgram alone, and the batched native one (sendmmsg with UDP
// GSO, recvmmsg with UDP GRO) where rendezvous/native/ is built, i.e. on Linux after `npm ci`.
const nativeBuilt = loadUdpNative() !== undefined;

for (const native of [false, true]) {
  transportComplianceSuite(`UDP on loopback, ${native ? 'native batched path' : 'node:dgram alone'}`, async () => {
    const logs: Parameters<TransportLog>[0][] = [];
    const open: DatagramTransport[] = [];
    return {
      logs,
      async open() {
        const transport = await openUdpTransport({ native, log: (entry) => logs.push(entry) });
        open.push(transport);
        return transport;
      },
      waitFor,
      async sleep(ms) {
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
      async teardown() {
        for (const transport of open) await transport.close();
      },
    };
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return true;
}

test('native path: in use on Linux once built; off when asked', { skip: nativeBuilt ? false : 'rendezvous/native not built (not Linux, or no compiler at install)' }, async () => {
  const fast = await openUdpTransport();
  const plain = await openUdpTransport({ native: false });
  try {
    assert.deepEqual(fast.acceleration, { send: true, gso: true, receive: true, gro: true });
    assert.deepEqual(plain.acceleration, { send: false, gso: false, receive: false, gro: false });
  } finally {
    await fast.close();
    await plain.close();
  }
});

/**
 * One turn's sends to two peers, of mixed sizes: GSO runs (equal sizes, one shorter last), runs
 * cut by a change of peer or size, empty datagrams, a run longer than 64 segments. Every
 * datagram must arrive intact, once, at its own peer, in the order sent (loopback keeps order),
 * whichever of the four send/receive pairings is used.
 */
for (const [senderNative, receiverNative] of [[true, true], [true, false], [false, true]] as const) {
  test(`native path: batches keep boundaries, peers and order (sender ${senderNative ? 'native' : 'dgram'}, receivers ${receiverNative ? 'native' : 'dgram'})`, { skip: nativeBuilt ? false : 'not built' }, async () => {
    const logs: Parameters<TransportLog>[0][] = [];
    const sender = await openUdpTransport({ native: senderNative, log: (entry) => logs.push(entry) });
    const receivers = [await openUdpTransport({ native: receiverNative }), await openUdpTransport({ native: receiverNative })];
    const got: Map<Address, Uint8Array[]> = new Map(receivers.map((receiver) => [receiver.localAddress, []]));
    for (const receiver of receivers) receiver.onDatagram((bytes, from) => {
      assert.equal(from, sender.localAddress);
      got.get(receiver.localAddress)!.push(bytes);
    });
    const sent: Map<Address, Uint8Array[]> = new Map(receivers.map((receiver) => [receiver.localAddress, []]));
    const sizes = [...Array(70).fill(1200), 700, 1200, 1200, 0, 0, 5, 1200, 1200, 1199, 65_000, 30, 30, 31, 30];
    try {
      for (const [index, size] of sizes.entries()) {
        const to = receivers[index % 7 === 6 ? 1 : 0]!.localAddress;
        const bytes = pattern(size, index);
        if (size >= 4) new DataView(bytes.buffer).setUint32(0, index);
        sender.send(bytes, to);
        sent.get(to)!.push(bytes);
      }
      const total = sizes.length;
      assert.ok(await waitFor(() => [...got.values()].reduce((sum, list) => sum + list.length, 0) >= total, 5000), 'all delivered');
      for (const [address, list] of sent) assert.deepEqual(got.get(address), list, `datagrams to ${address}`);
      assert.deepEqual(logs, []);
    } finally {
      await sender.close();
      for (const receiver of receivers) await receiver.close();
    }
  });
}

test('native path: a send queued before a TTL send leaves first; TTL sends still resolve', { skip: nativeBuilt ? false : 'not built' }, async () => {
  const sender: UdpTransport = await openUdpTransport();
  const receiver = await openUdpTransport();
  const order: number[] = [];
  receiver.onDatagram((bytes) => order.push(bytes[0]!));
  try {
    sender.send(Uint8Array.of(1), receiver.localAddress);
    await sender.sendWithOptions(Uint8Array.of(2), receiver.localAddress, { ttl: 8 });
    sender.send(Uint8Array.of(3), receiver.localAddress);
    assert.ok(await waitFor(() => order.length === 3, 2000), `got ${order.join(',')}`);
    assert.deepEqual(order, [1, 2, 3]);
  } finally {
    await sender.close();
    await receiver.close();
  }
});
