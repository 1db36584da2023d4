import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParleyError, schnorrPublicKey, seededRng } from '../../names/index.ts';
import { RendezvousError } from '../../rendezvous/errors.ts';
import { createEndpoint } from '../../rendezvous/socket/index.ts';
import { accept, collect, connectIk, fromText, text } from './compliance.ts';
import { memoryWorld } from './harness.ts';

/** The endpoint's API edges, on the in-memory network. */
const seed = Number(process.env.PARLEY_SEED ?? 21);

describe('socket endpoint API', () => {
  test('messages that arrive before onMessage wait (the channel is paused), then come in order', { timeout: 60_000 }, async () => {
    const world = memoryWorld(seed);
    try {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      const big = new Uint8Array(1024 * 1024).fill(7);
      for (const word of ['one', 'two']) await toBob.send(text(word));
      // Three full-size messages are more than the receive window (two): the rest waits at the sender.
      const sendingBig = Promise.all([toBob.send(big), toBob.send(big), toBob.send(big)]);
      await toBob.send(text('three'));
      const probes: string[] = [];
      assert.ok(toBob.sendDatagram(text('probe')));
      assert.ok(!(await world.until(() => false, 2_000)), 'time passes with nobody reading');
      assert.ok(toBob.stats().queuedBytes > 0, 'held back at the sender: the paused reader closed the window');
      toAlice.onDatagram((bytes) => probes.push(fromText(bytes)));
      assert.deepEqual(probes, ['probe'], 'an unreliable datagram waited for its handler');
      const received = collect(toAlice);
      assert.ok(await world.until(() => received.length === 6), 'everything arrives once read');
      await world.settle(sendingBig);
      assert.deepEqual(
        received.map((message) => (message.length === big.length ? 'big' : fromText(message))),
        ['one', 'two', 'big', 'big', 'big', 'three'],
      );
    } finally {
      await world.teardown();
    }
  });

  test('bad arguments are typed failures: a wrong-size key, an identity pair that does not match, an oversized message', { timeout: 60_000 }, async () => {
    const world = memoryWorld(seed);
    try {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      await assert.rejects(alice.endpoint.connect(bob.endpoint.localAddress, { remoteIdentityKey: new Uint8Array(31) }), (error: unknown) => error instanceof ParleyError, 'short identity key');
      const rng = seededRng(seed);
      const secretKey = rng.bytes(32);
      assert.throws(
        () => createEndpoint({ transport: world.network!.bind(), clock: world.clock, rng, identity: { secretKey, publicKey: schnorrPublicKey(rng.bytes(32)) } }),
        (error: unknown) => error instanceof RendezvousError && error.code === 'SOCKET_BAD_CONFIG',
      );
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      await world.settle(inbound);
      await assert.rejects(toBob.send(new Uint8Array(2 * 1024 * 1024)), (error: unknown) => error instanceof RendezvousError && error.code === 'CHANNEL_MESSAGE_TOO_LARGE');
    } finally {
      await world.teardown();
    }
  });

  test('sendRaw passes its TTL to the transport, one datagram at a time', { timeout: 60_000 }, async () => {
    const world = memoryWorld(seed);
    try {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const seen: (number | undefined)[] = [];
      world.network!.addHook((packet) => {
        if (packet.to === bob.endpoint.localAddress) seen.push(packet.ttl);
        return packet;
      });
      const opener = new Uint8Array(42).fill(0x50, 0, 1);
      await alice.endpoint.sendRaw(opener, bob.endpoint.localAddress, { ttl: 2 });
      await alice.endpoint.sendRaw(opener, bob.endpoint.localAddress);
      assert.deepEqual(seen, [2, undefined]);
      assert.ok(await world.until(() => bob.logs.some((line) => line.includes('SOCKET_NO_FOREIGN_HANDLER'))), 'a punch packet with nobody listening is logged');
    } finally {
      await world.teardown();
    }
  });
});
