import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, seededRng } from '../../names/index.ts';
import { channelMessageBytesMax } from '../../rendezvous/constants.ts';
import { RendezvousError } from '../../rendezvous/errors.ts';
import type { Connection, ConnectionCloseReason } from '../../rendezvous/socket/index.ts';
import { accept, collect, connectIk, digest, fromText, text } from './compliance.ts';
import { memoryWorld, messageOf } from './harness.ts';

/** Tests that need the in-memory network's knobs: loss, duplication, reordering, partitions, tampering. */
const seed = Number(process.env.PARLEY_SEED ?? 11);

/** Sizes from 1 B to 1 MiB: mostly small, some tens of KiB, three of the largest. */
function mixedSizes(count: number, rng: ReturnType<typeof seededRng>): number[] {
  const sizes = Array.from({ length: count }, () => {
    const draw = rng.unit();
    if (draw < 0.7) return 1 + rng.below(1024);
    if (draw < 0.95) return 1024 + rng.below(16 * 1024);
    return 16 * 1024 + rng.below(200 * 1024);
  });
  sizes[7] = 1;
  sizes[Math.floor(count / 3)] = channelMessageBytesMax;
  sizes[Math.floor(count / 2)] = 1024 * 1024;
  sizes[count - 2] = 700_000;
  return sizes;
}

async function pumpAll(connection: Connection, messages: readonly Uint8Array[]): Promise<void> {
  for (const message of messages) await connection.send(message);
}

describe('socket over a bad network (in-memory, seeded)', () => {
  test('20% loss, duplication and reordering: mixed messages up to 1 MiB arrive exactly once, in order, intact, both ways', { timeout: 300_000 }, async (t) => {
    const world = memoryWorld(seed, { delayMs: 10, jitterMs: 2, lossRate: 0.2, duplicateRate: 0.1, reorderRate: 0.1, reorderDelayMs: 30 });
    try {
      // Rekey every 2 s of virtual time, so keys change many times under the transfer.
      const sessionLimits = { rekeyAfterMs: 2_000 };
      const [alice, bob] = [await world.endpoint({ sessionLimits }), await world.endpoint({ sessionLimits })];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      const rng = seededRng(seed);
      const forward = mixedSizes(300, rng).map((size, index) => messageOf(index, size, rng));
      const backward = mixedSizes(60, rng).map((size, index) => messageOf(index, Math.min(size, 64 * 1024), rng));
      const [atBob, atAlice] = [collect(toAlice), collect(toBob)];
      const sending = Promise.all([pumpAll(toBob, forward), pumpAll(toAlice, backward)]);
      const startedMs = world.clock.nowMs();
      assert.ok(await world.until(() => atBob.length >= forward.length && atAlice.length >= backward.length, 3_600_000), `seed ${seed}: everything arrived (${atBob.length}/${forward.length}, ${atAlice.length}/${backward.length})`);
      await world.settle(sending);
      for (const [received, sent, direction] of [[atBob, forward, 'alice→bob'], [atAlice, backward, 'bob→alice']] as const) {
        assert.equal(received.length, sent.length, `seed ${seed}: ${direction} exactly once`);
        received.forEach((message, index) => assert.equal(digest(message), digest(sent[index]!), `seed ${seed}: ${direction} message ${index} in order and intact`));
      }
      const stats = world.network!.stats;
      assert.ok(stats.lost > 100 && stats.duplicated > 50, `the network misbehaved (${JSON.stringify(stats)})`);
      const logs = [...alice.logs, ...bob.logs];
      assert.ok(logs.some((line) => line.includes('SESSION_REPLAYED')), 'duplicates were dropped by the replay window, with a logged reason');
      assert.ok(!logs.some((line) => /CHANNEL_PROTOCOL_VIOLATION|SESSION_DECRYPT_FAILED/.test(line)), 'nothing failed to authenticate or parse');
      assert.ok(world.clock.nowMs() - startedMs > 10_000, 'the transfer outlived several rekeys');
      assert.ok(!toBob.closed && !toAlice.closed, 'the connection survived');
      const bytes = [...forward, ...backward].reduce((sum, message) => sum + message.length, 0);
      t.diagnostic(`seed ${seed}: ${(bytes / 1e6).toFixed(1)} MB in ${((world.clock.nowMs() - startedMs) / 1000).toFixed(1)} s virtual; network ${JSON.stringify(stats)}`);
    } finally {
      await world.teardown();
    }
  });

  test('the same seed replays the same run exactly', { timeout: 120_000 }, async () => {
    const run = async (): Promise<string[]> => {
      const world = memoryWorld(seed + 1, { delayMs: 10, lossRate: 0.2, duplicateRate: 0.1, reorderRate: 0.1, reorderDelayMs: 30 });
      try {
        const [alice, bob] = [await world.endpoint(), await world.endpoint()];
        const inbound = accept(bob);
        const toBob = await world.settle(connectIk(alice, bob));
        const atBob = collect(await world.settle(inbound));
        const rng = seededRng(seed);
        const messages = Array.from({ length: 40 }, (_, index) => messageOf(index, 1 + rng.below(30_000), rng));
        void pumpAll(toBob, messages);
        assert.ok(await world.until(() => atBob.length === messages.length, 600_000), 'delivered');
        return [...alice.logs, ...bob.logs, `t=${world.clock.nowMs()}`, JSON.stringify(world.network!.stats)];
      } finally {
        await world.teardown();
      }
    };
    const first = await run();
    assert.deepEqual(await run(), first, `seed ${seed + 1}: a second run differs`);
  });

  test('tampered, truncated and foreign packets are dropped with a reason; the session goes on', { timeout: 60_000 }, async () => {
    const world = memoryWorld(seed);
    try {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const atBob = collect(await world.settle(inbound));
      let tampered = 0;
      world.network!.addHook((packet) => {
        if (packet.to !== bob.endpoint.localAddress || packet.bytes[0] !== 0x07 || tampered >= 3) return packet;
        tampered++;
        const copy = new Uint8Array(packet.bytes);
        if (tampered === 1) copy[copy.length - 1]! ^= 1; // bit flip in the tag
        else if (tampered === 2) return { ...packet, bytes: copy.subarray(0, 20) }; // truncated
        else copy[1]! ^= 0xff; // another session's index
        return { ...packet, bytes: copy };
      });
      for (const word of ['a', 'b', 'c', 'd', 'e']) await toBob.send(text(word));
      assert.ok(await world.until(() => atBob.length === 5), 'every message arrived (retransmitted)');
      assert.deepEqual(atBob.map(fromText), ['a', 'b', 'c', 'd', 'e']);
      const codes = bob.logs.map((line) => /(SESSION_[A-Z_]+)/.exec(line)?.[1]);
      for (const code of ['SESSION_DECRYPT_FAILED', 'SESSION_UNKNOWN_INDEX']) assert.ok(codes.includes(code), `${code} logged: ${bob.logs.join(' | ')}`);
    } finally {
      await world.teardown();
    }
  });

  test('a connect nobody answers fails with SOCKET_CONNECT_TIMEOUT naming the identity', { timeout: 60_000 }, async () => {
    const world = memoryWorld(seed);
    try {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const silent = await world.openTransport();
      const error = await world
        .settle(alice.endpoint.connect(silent.localAddress, { remoteIdentityKey: bob.identity.publicKey, remoteStaticKey: bob.endpoint.staticPublicKey, timeoutMs: 12_000 }))
        .then(() => assert.fail('should time out'), (failure: unknown) => failure);
      assert.ok(error instanceof RendezvousError && error.code === 'SOCKET_CONNECT_TIMEOUT', `got ${String(error)}`);
      assert.match(error.message, new RegExp(bytesToHex(bob.identity.publicKey)));
      assert.match(error.message, /12000 ms/);
    } finally {
      await world.teardown();
    }
  });

  test('a partition ends both sides with idle-timeout; the endpoints then connect again', { timeout: 60_000 }, async () => {
    const world = memoryWorld(seed);
    try {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      const reasons: ConnectionCloseReason[] = [];
      for (const connection of [toBob, toAlice]) connection.onClose((reason) => reasons.push(reason));
      world.network!.partition([alice.endpoint.localAddress], [bob.endpoint.localAddress]);
      assert.ok(await world.until(() => reasons.length === 2, 200_000), 'both sides gave up');
      assert.deepEqual(reasons, ['idle-timeout', 'idle-timeout']);
      world.network!.heal();
      const again = accept(bob);
      await world.settle(connectIk(alice, bob));
      await world.settle(again);
    } finally {
      await world.teardown();
    }
  });

  test('backpressure: send() waits while the queue is full, and nothing is lost', { timeout: 120_000 }, async () => {
    const world = memoryWorld(seed, { delayMs: 20, bandwidthBytesPerSecond: 5_000_000, queueBytesMax: 200_000 });
    try {
      const [alice, bob] = [await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const atBob = collect(await world.settle(inbound));
      const rng = seededRng(seed);
      const messages = Array.from({ length: 12 }, (_, index) => messageOf(index, 1024 * 1024, rng));
      let accepted = 0;
      const sends = messages.map((message) => toBob.send(message).then(() => accepted++));
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(accepted >= 3 && accepted < messages.length, `the 4 MiB queue took a few and held the rest back (${accepted})`);
      assert.ok(await world.until(() => atBob.length === messages.length, 600_000), 'all arrived');
      await world.settle(Promise.all(sends));
      assert.ok(atBob.every((message, index) => digest(message) === digest(messages[index]!)), 'intact and in order');
    } finally {
      await world.teardown();
    }
  });

  test('closing the endpoint closes its connections and fails pending connects', { timeout: 60_000 }, async () => {
    const world = memoryWorld(seed);
    try {
      const [alice, bob, carol] = [await world.endpoint(), await world.endpoint(), await world.endpoint()];
      const inbound = accept(bob);
      const toBob = await world.settle(connectIk(alice, bob));
      const toAlice = await world.settle(inbound);
      const reasons: ConnectionCloseReason[] = [];
      toBob.onClose((reason) => reasons.push(reason));
      toAlice.onClose((reason) => reasons.push(reason));
      world.network!.partition([alice.endpoint.localAddress], [carol.endpoint.localAddress]);
      const pending = alice.endpoint.connect(carol.endpoint.localAddress, { remoteIdentityKey: carol.identity.publicKey });
      pending.catch(() => {});
      await alice.endpoint.close();
      await assert.rejects(pending, (error: unknown) => error instanceof RendezvousError && error.code === 'SOCKET_CLOSED', 'pending connect failed');
      assert.ok(await world.until(() => reasons.length === 2), 'both sides closed');
      assert.deepEqual(reasons, ['endpoint-closed', 'remote-close']);
    } finally {
      await world.teardown();
    }
  });
});
