import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAddress } from '../../rendezvous/net/index.ts';
import type { Address, DatagramTransport, TransportLog } from '../../rendezvous/net/index.ts';

/**
 * One compliance suite for every DatagramTransport (STYLE 11): the in-memory network
 * (memory.test.ts) and the UDP socket (udp.test.ts) must behave the same to the layers above.
 */
export interface TransportHarness {
  /** Opens a fresh endpoint whose logs go to `logs`. */
  open(): Promise<DatagramTransport>;
  /** Lets (virtual or real) time pass until `condition()` holds or `timeoutMs` elapses. */
  waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  readonly logs: Parameters<TransportLog>[0][];
  teardown(): Promise<void>;
}

export function transportComplianceSuite(name: string, makeHarness: () => Promise<TransportHarness>): void {
  describe(`DatagramTransport compliance: ${name}`, () => {
    const withHarness = (title: string, body: (harness: TransportHarness) => Promise<void>): void => {
      test(title, async () => {
        const harness = await makeHarness();
        try {
          await body(harness);
        } finally {
          await harness.teardown();
        }
      });
    };

    withHarness('binds distinct host:port addresses', async (h) => {
      const a = await h.open();
      const b = await h.open();
      for (const transport of [a, b]) assert.ok(parseAddress(transport.localAddress), transport.localAddress);
      assert.notEqual(a.localAddress, b.localAddress);
    });

    withHarness('delivers a datagram intact, from the sender address, asynchronously', async (h) => {
      const a = await h.open();
      const b = await h.open();
      const received: { bytes: Uint8Array; from: Address }[] = [];
      b.onDatagram((bytes, from) => received.push({ bytes: bytes.slice(), from }));
      const sent = pattern(1200, 7);
      a.send(sent, b.localAddress);
      assert.equal(received.length, 0, 'never delivered from inside send()');
      assert.ok(await h.waitFor(() => received.length === 1, 2000), 'delivered');
      assert.deepEqual(received[0]!.bytes, sent);
      assert.equal(received[0]!.from, a.localAddress);
    });

    withHarness('delivers an empty datagram and a 64 KiB one', async (h) => {
      const a = await h.open();
      const b = await h.open();
      const sizes: number[] = [];
      b.onDatagram((bytes) => sizes.push(bytes.length));
      a.send(new Uint8Array(0), b.localAddress);
      a.send(pattern(65_000, 3), b.localAddress);
      assert.ok(await h.waitFor(() => sizes.length === 2, 2000), `got ${sizes.join(',')}`);
      assert.deepEqual([...sizes].sort((x, y) => x - y), [0, 65_000]);
    });

    withHarness('a reply to the observed source reaches the sender; a handler may send', async (h) => {
      const a = await h.open();
      const b = await h.open();
      b.onDatagram((bytes, from) => b.send(bytes, from)); // echo
      let rounds = 0;
      a.onDatagram((bytes, from) => {
        assert.equal(from, b.localAddress);
        rounds++;
        if (rounds < 50) a.send(bytes, b.localAddress);
      });
      a.send(pattern(100, 1), b.localAddress);
      assert.ok(await h.waitFor(() => rounds === 50, 5000), `rounds ${rounds}`);
    });

    withHarness('delivers 500 paced datagrams, each once', async (h) => {
      const a = await h.open();
      const b = await h.open();
      const seen = new Map<number, number>();
      b.onDatagram((bytes) => {
        const index = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
        seen.set(index, (seen.get(index) ?? 0) + 1);
      });
      for (let index = 0; index < 500; index++) {
        const bytes = pattern(1200, index);
        new DataView(bytes.buffer).setUint32(0, index);
        a.send(bytes, b.localAddress);
        if (index % 16 === 15) await h.sleep(1); // paced: under the 32 datagrams libuv reads per wake-up
      }
      assert.ok(await h.waitFor(() => seen.size === 500, 5000), `received ${seen.size} of 500`);
      assert.ok([...seen.values()].every((count) => count === 1), 'no duplicates');
    });

    withHarness('a sender may send to itself', async (h) => {
      const a = await h.open();
      let got = 0;
      a.onDatagram((_bytes, from) => {
        assert.equal(from, a.localAddress);
        got++;
      });
      a.send(pattern(10, 1), a.localAddress);
      assert.ok(await h.waitFor(() => got === 1, 2000), 'delivered');
    });

    withHarness('a later onDatagram replaces the handler', async (h) => {
      const a = await h.open();
      const b = await h.open();
      let first = 0;
      let second = 0;
      b.onDatagram(() => first++);
      b.onDatagram(() => second++);
      a.send(pattern(10, 1), b.localAddress);
      assert.ok(await h.waitFor(() => second === 1, 2000), 'delivered to the second handler');
      assert.equal(first, 0);
    });

    withHarness('oversized, badly addressed and unroutable sends are logged, never thrown', async (h) => {
      const a = await h.open();
      const b = await h.open();
      const gone = await h.open();
      const goneAddress = gone.localAddress;
      await gone.close();
      a.send(new Uint8Array(70_000), b.localAddress);
      a.send(pattern(10, 1), 'no-port' as Address);
      a.send(pattern(10, 1), 'host:99999' as Address);
      a.send(pattern(10, 1), goneAddress);
      assert.ok(h.logs.some((entry) => entry.code === 'NET_DATAGRAM_TOO_LARGE'), 'oversize logged');
      assert.equal(h.logs.filter((entry) => entry.code === 'NET_BAD_ADDRESS').length, 2);
      // the transport still works afterwards
      let got = 0;
      b.onDatagram(() => got++);
      a.send(pattern(10, 2), b.localAddress);
      assert.ok(await h.waitFor(() => got === 1, 2000), 'delivered');
    });

    withHarness('close stops delivery, is idempotent, and a later send is logged', async (h) => {
      const a = await h.open();
      const b = await h.open();
      let got = 0;
      b.onDatagram(() => got++);
      a.send(pattern(10, 1), b.localAddress);
      await b.close();
      await b.close();
      await h.sleep(20);
      assert.equal(got, 0, 'nothing delivered after close');
      b.send(pattern(10, 1), a.localAddress);
      assert.ok(h.logs.some((entry) => entry.code === 'NET_SEND_AFTER_CLOSE'), 'send after close logged');
    });
  });
}

/** Deterministic test bytes: a counter mixed with a seed. */
export function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = (index * 31 + seed * 17 + (index >> 8)) & 0xff;
  return bytes;
}
