import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { bytesToHex, hexToBytes, seededRng } from '../../names/index.ts';
import { Channel, channelConfig, decodeFrames, encodeFrames, stepChannel } from '../../rendezvous/channel/index.ts';
import type { ChannelEffect, Frame } from '../../rendezvous/channel/index.ts';
import { channelMessageBytesMax } from '../../rendezvous/constants.ts';
import type { Packet } from '../../rendezvous/net/index.ts';
import { channelPair, pump } from './harness.ts';

const limits = { messageBytesMax: channelMessageBytesMax, ackRangesMax: 64 };

/** Decodes every datagram on the network, for tests that count frames on the wire. */
function tapFrames(pair: ReturnType<typeof channelPair>): { from: string; frames: Frame[] }[] {
  const seen: { from: string; frames: Frame[] }[] = [];
  pair.network.addHook((packet: Packet) => {
    const decoded = decodeFrames(packet.bytes, limits);
    if (decoded.ok) seen.push({ from: packet.from, frames: decoded.frames });
    return packet;
  });
  return seen;
}

test('messages of every size arrive intact and in order over a clean link', () => {
  const pair = channelPair({ seed: 1 });
  const fragment = pair.left.channel.config.fragmentPayloadBytes;
  const sizes = [0, 1, fragment - 1, fragment, fragment + 1, 5000, 0, 300_000, channelMessageBytesMax, 2];
  const messages = sizes.map((size) => pair.rng.bytes(size));
  const accepted = pump(pair.left, messages);
  assert.ok(pair.run(() => pair.toRight.length === messages.length), `seed ${pair.seed}: got ${pair.toRight.length}`);
  assert.equal(accepted(), messages.length);
  pair.toRight.forEach((message, index) => assert.deepEqual(message, messages[index], `message ${index}`));
  assert.ok(pair.run(() => pair.left.channel.idle && pair.right.channel.idle, 5000), 'everything acknowledged');
  assert.equal(pair.left.stats().sender.retransmissions, 0);
  assert.deepEqual(pair.logs, []);
});

test('misuse is a typed error: too large, sent after close', () => {
  const pair = channelPair({ seed: 2 });
  assert.throws(() => pair.left.send(new Uint8Array(channelMessageBytesMax + 1)), { code: 'CHANNEL_MESSAGE_TOO_LARGE' });
  const unreliableMax = pair.left.channel.config.unreliablePayloadBytesMax;
  assert.throws(() => pair.left.sendUnreliable(new Uint8Array(unreliableMax + 1)), { code: 'CHANNEL_DATAGRAM_TOO_LARGE' });
  pair.left.close();
  assert.throws(() => pair.left.send(new Uint8Array(1)), { code: 'CHANNEL_CLOSED' });
  assert.throws(() => channelConfig({ datagramPayloadBytes: 100 }), { code: 'CHANNEL_BAD_CONFIG' });
  assert.throws(() => channelConfig({ receiveWindowFragments: 10 }), { code: 'CHANNEL_BAD_CONFIG' });
});

test('both directions at once: replies carry the ACK, small messages share datagrams', () => {
  const pair = channelPair({ seed: 3, link: { lossRate: 0.05, jitterMs: 2 } });
  const wire = tapFrames(pair);
  const requests = Array.from({ length: 2000 }, (_, index) => pair.rng.bytes(1 + (index % 700)));
  // the right side answers every request at once, as a request/response protocol would
  pair.right.onMessage((message) => {
    pair.toRight.push(message);
    assert.ok(pair.right.send(message.subarray(0, 16)), 'reply accepted');
  });
  pump(pair.left, requests);
  assert.ok(pair.run(() => pair.toLeft.length === 2000), `seed ${pair.seed}: ${pair.toLeft.length} replies`);
  requests.forEach((message, index) => {
    assert.deepEqual(pair.toRight[index], message, `request ${index}`);
    assert.deepEqual(pair.toLeft[index], message.subarray(0, 16), `reply ${index}`);
  });
  const fromRight = wire.filter(({ from }) => from === pair.rightTransport.localAddress);
  const piggybacked = fromRight.filter(({ frames }) => frames.some((frame) => frame.type === 'ack') && frames.some((frame) => frame.type === 'data'));
  const ackOnly = fromRight.filter(({ frames }) => frames.every((frame) => frame.type === 'ack'));
  assert.ok(piggybacked.length > ackOnly.length, `${piggybacked.length} ACKs rode on replies, ${ackOnly.length} went alone`);
  const coalesced = wire.filter(({ frames }) => frames.filter((frame) => frame.type === 'data').length > 1);
  assert.ok(coalesced.length > 100, `small messages share datagrams (${coalesced.length})`);
});

test('unreliable datagrams: delivered, never retransmitted, bounded queue', () => {
  const pair = channelPair({ seed: 4, link: { lossRate: 0.3 } });
  const wire = tapFrames(pair);
  const got: Uint8Array[] = [];
  pair.right.onUnreliable((payload) => got.push(payload));
  let sent = 0;
  for (let round = 0; round < 50; round++) {
    for (let index = 0; index < 2; index++) assert.ok(pair.left.sendUnreliable(new Uint8Array([round, index])));
    sent += 2;
    pair.clock.advanceBy(10);
  }
  pair.run(() => false, 2000);
  const onWire = wire.flatMap(({ frames }) => frames).filter((frame) => frame.type === 'datagram');
  assert.equal(onWire.length, sent, 'each unreliable datagram left exactly once');
  assert.ok(got.length > 50 && got.length < 90, `seed ${pair.seed}: ${got.length} of 100 arrived over a 30% lossy link`);
  // a full queue refuses rather than buffers
  const quiet = channelPair({ seed: 5, channel: { unreliableQueueMax: 0 } });
  assert.equal(quiet.left.sendUnreliable(new Uint8Array(1)), false);
});

test('malformed datagrams are dropped with a logged reason and the channel keeps working', () => {
  const pair = channelPair({ seed: 6 });
  const config = pair.right.channel.config;
  const junk: [string, Uint8Array][] = [
    ['CHANNEL_EMPTY_DATAGRAM', new Uint8Array(0)],
    ['CHANNEL_UNKNOWN_FRAME', hexToBytes('ff00')],
    ['CHANNEL_TRUNCATED_FRAME', hexToBytes('0a4046056869')],
    ['CHANNEL_BAD_VARINT', hexToBytes('09ffffffffffffffff00')],
    ['CHANNEL_BAD_FRAGMENT', hexToBytes('0d008020000061')],
    ['CHANNEL_OVERSIZED_DATAGRAM', new Uint8Array(config.datagramPayloadBytes + 1)],
    ['CHANNEL_BAD_ACK', encodeFrames([{ type: 'ack', cumulative: 50, ackDelayMicros: 0, windowLimit: 100, ranges: [] }])],
    ['CHANNEL_BEYOND_WINDOW', encodeFrames([{ type: 'data', seq: config.receiveWindowFragments + 5, messageLength: 1, last: true, payload: new Uint8Array([1]) }])],
  ];
  for (const [, bytes] of junk) assert.doesNotThrow(() => pair.right.receive(bytes));
  for (const [code] of junk) assert.ok(pair.logs.some((entry) => entry.side === 'right' && entry.code === code), `no ${code} logged`);
  assert.equal(pair.right.channel.state, 'open');
  const messages = Array.from({ length: 50 }, (_, index) => pair.rng.bytes(index * 100));
  pump(pair.left, messages);
  assert.ok(pair.run(() => pair.toRight.length === 50), `seed ${pair.seed}: ${pair.toRight.length} of 50 delivered`);
  messages.forEach((message, index) => assert.deepEqual(pair.toRight[index], message));
  // Random bytes may also form valid-looking frames that break the fragment sequence (the
  // session's AEAD keeps them out in practice): dropped or a failed channel, never a throw.
  const random = seededRng(99);
  let fuzzed = channelPair({ seed: 7 });
  let logged = 0;
  for (let index = 0; index < 5000; index++) {
    if (fuzzed.right.channel.state === 'failed') {
      logged += fuzzed.logs.length;
      fuzzed = channelPair({ seed: 7 + index });
    }
    assert.doesNotThrow(() => fuzzed.right.receive(random.bytes(1 + random.below(config.datagramPayloadBytes))));
  }
  logged += fuzzed.logs.length;
  assert.ok(logged > 4500, `only ${logged} of 5000 random datagrams were logged as dropped`);
});

test('a peer that breaks the fragment sequence fails the channel, never throws', () => {
  const pair = channelPair({ seed: 8 });
  const failures: string[] = [];
  pair.right.onFailed((error) => failures.push(error.code));
  pair.right.receive(encodeFrames([{ type: 'data', seq: 0, messageLength: undefined, last: true, payload: new Uint8Array([1]) }]));
  assert.deepEqual(failures, ['CHANNEL_PROTOCOL_VIOLATION']);
  assert.equal(pair.right.channel.state, 'failed');
  assert.throws(() => pair.right.send(new Uint8Array(1)), { code: 'CHANNEL_CLOSED' });
  assert.doesNotThrow(() => pair.right.receive(hexToBytes('01')));
});

test('flow control: a reader that stops reading bounds both sides; resuming delivers everything', () => {
  const sendQueueBytesMax = 2 * 1024 * 1024;
  const pair = channelPair({ seed: 9, link: { lossRate: 0.02 }, channel: { sendQueueBytesMax } });
  pair.right.pause();
  const messages = Array.from({ length: 1000 }, (_, index) => pair.rng.bytes(10_000 + index));
  let next = 0;
  let writable = 0;
  const go = (): void => {
    while (next < messages.length && pair.left.send(messages[next]!)) next++;
  };
  pair.left.onWritable(() => {
    writable++;
    go();
  });
  go();
  assert.ok(next < messages.length, 'send() reports backpressure');
  assert.equal(pair.left.send(new Uint8Array(1024 * 1024)), false);
  let maxQueued = 0;
  let maxBuffered = 0;
  for (let second = 0; second < 30; second++) {
    pair.run(() => false, 1000);
    maxQueued = Math.max(maxQueued, pair.left.stats().queuedBytes);
    maxBuffered = Math.max(maxBuffered, pair.right.stats().receiveBufferedBytes);
  }
  const config = pair.right.channel.config;
  assert.equal(pair.toRight.length, 0, 'nothing delivered while paused');
  assert.ok(maxQueued <= sendQueueBytesMax, `sender holds ${maxQueued}`);
  assert.ok(maxBuffered <= config.receiveBufferBytesMax, `receiver holds ${maxBuffered} > ${config.receiveBufferBytesMax}`);
  assert.ok(maxBuffered > config.receiveBufferBytesMax / 2, `the window filled (${maxBuffered})`);
  const probes = pair.left.stats().sender.probes;
  assert.ok(probes > 0 && probes < 40, `the blocked sender probed the closed window, backing off (${probes} probes)`);
  // Resume, but lose the window update that follows: the probe must recover.
  pair.network.partition([pair.rightTransport.localAddress], [pair.leftTransport.localAddress]);
  pair.right.resume();
  pair.run(() => false, 500);
  pair.network.heal();
  assert.ok(pair.run(() => pair.toRight.length === messages.length, 600_000), `seed ${pair.seed}: ${pair.toRight.length} delivered`);
  messages.forEach((message, index) => assert.deepEqual(pair.toRight[index], message, `message ${index}`));
  assert.ok(writable > 0, 'the sender heard that the queue drained');
});

test('a long partition backs the timer off; after heal the transfer completes', () => {
  const pair = channelPair({ seed: 12, link: { lossRate: 0.05 } });
  const messages = Array.from({ length: 400 }, (_, index) => pair.rng.bytes(3000 + index));
  pump(pair.left, messages);
  assert.ok(pair.run(() => pair.toRight.length >= 50), 'the transfer started');
  const timeoutsBefore = pair.left.stats().sender.timeouts;
  pair.network.partition([pair.leftTransport.localAddress], [pair.rightTransport.localAddress]);
  pair.run(() => false, 30_000);
  const timeouts = pair.left.stats().sender.timeouts - timeoutsBefore;
  // 200 ms doubling: 0.2 + 0.4 + … stays under 30 s for about 7 expiries
  assert.ok(timeouts >= 5 && timeouts <= 9, `${timeouts} timeouts in a 30 s partition`);
  assert.ok(pair.left.stats().retransmitTimeoutMs >= 12_800, `backed off to ${pair.left.stats().retransmitTimeoutMs} ms`);
  pair.network.heal();
  assert.ok(pair.run(() => pair.toRight.length === messages.length, 600_000), `seed ${pair.seed}: ${pair.toRight.length} delivered after heal`);
  messages.forEach((message, index) => assert.deepEqual(pair.toRight[index], message, `message ${index}`));
  assert.ok(pair.left.stats().retransmitTimeoutMs < 1000, 'progress reset the backoff');
});

test('a small receive window and a slow, bursty reader under loss', () => {
  const pair = channelPair({ seed: 13, link: { lossRate: 0.1, reorderRate: 0.1, reorderDelayMs: 30 }, channel: { messageBytesMax: 64 * 1024, receiveWindowFragments: 70, sendQueueBytesMax: 256 * 1024 } });
  const messages = Array.from({ length: 300 }, (_, index) => pair.rng.bytes(index % 10 === 0 ? 64 * 1024 : 1 + pair.rng.below(2000)));
  pump(pair.left, messages);
  const config = pair.right.channel.config;
  let maxBuffered = 0;
  for (let round = 0; round < 400 && pair.toRight.length < messages.length; round++) {
    pair.right.pause();
    pair.run(() => false, 300);
    maxBuffered = Math.max(maxBuffered, pair.right.stats().receiveBufferedBytes);
    pair.right.resume();
    pair.run(() => false, 50);
  }
  assert.equal(pair.toRight.length, messages.length, `seed ${pair.seed}: ${pair.toRight.length} delivered`);
  messages.forEach((message, index) => assert.deepEqual(pair.toRight[index], message, `message ${index}`));
  assert.ok(maxBuffered <= config.receiveBufferBytesMax, `receiver held ${maxBuffered} > ${config.receiveBufferBytesMax}`);
});

test('the core is a pure step function: a driverless simulation replays exactly', () => {
  const simulate = (seed: number): { trace: string; delivered: Uint8Array[]; sent: Uint8Array[] } => {
    const random = seededRng(seed);
    const hash = createHash('sha256');
    const sides = { left: { channel: new Channel(), timerAtMs: undefined as number | undefined }, right: { channel: new Channel(), timerAtMs: undefined as number | undefined } };
    const wire: { to: 'left' | 'right'; payload: Uint8Array; atMs: number }[] = [];
    const delivered: Uint8Array[] = [];
    let nowMs = 0;
    const apply = (side: 'left' | 'right', effects: ChannelEffect[]): void => {
      for (const effect of effects) {
        hash.update(`${nowMs.toFixed(6)} ${side} ${effect.type} ${effect.type === 'send' ? bytesToHex(effect.payload) : effect.type === 'timer' ? String(effect.atMs) : ''}\n`);
        if (effect.type === 'timer') sides[side].timerAtMs = effect.atMs;
        if (effect.type === 'deliver') delivered.push(effect.message);
        if (effect.type === 'send' && random.unit() > 0.15) wire.push({ to: side === 'left' ? 'right' : 'left', payload: effect.payload, atMs: nowMs + 5 + random.unit() * 5 });
      }
    };
    const sent = Array.from({ length: 60 }, () => random.bytes(random.below(5000)));
    for (const message of sent) {
      const result = stepChannel(sides.left.channel, { type: 'send', message }, nowMs);
      assert.equal(result.state, sides.left.channel, 'the same state object, updated');
      apply('left', result.effects);
    }
    for (let turn = 0; turn < 100_000; turn++) {
      wire.sort((x, y) => x.atMs - y.atMs);
      const timers = (['left', 'right'] as const).filter((side) => sides[side].timerAtMs !== undefined).sort((x, y) => sides[x].timerAtMs! - sides[y].timerAtMs!);
      const datagramAt = wire[0]?.atMs ?? Infinity;
      const timerSide = timers[0];
      const timerAt = timerSide === undefined ? Infinity : sides[timerSide].timerAtMs!;
      if (datagramAt === Infinity && timerAt === Infinity) break;
      if (datagramAt <= timerAt) {
        const datagram = wire.shift()!;
        nowMs = Math.max(nowMs, datagram.atMs);
        apply(datagram.to, sides[datagram.to].channel.step({ type: 'datagram', payload: datagram.payload }, nowMs));
      } else {
        nowMs = Math.max(nowMs, timerAt);
        sides[timerSide!].timerAtMs = undefined;
        apply(timerSide!, sides[timerSide!].channel.step({ type: 'timer' }, nowMs));
      }
    }
    return { trace: hash.digest('hex'), delivered, sent };
  };
  const first = simulate(10);
  assert.equal(first.delivered.length, first.sent.length, 'every message delivered');
  first.sent.forEach((message, index) => assert.deepEqual(first.delivered[index], message, `message ${index}`));
  assert.equal(simulate(10).trace, first.trace, 'same seed, same effects');
  assert.notEqual(simulate(11).trace, first.trace);
});
