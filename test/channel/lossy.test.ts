import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { Rng } from '../../names/index.ts';
import { channelMessageBytesMax } from '../../rendezvous/constants.ts';
import type { LinkSettings } from '../../rendezvous/net/index.ts';
import { channelPair, pump } from './harness.ts';
import type { ChannelPair } from './harness.ts';

/**
 * The channel over a bad network (issue 3): seeded, on a virtual clock, so a failure replays
 * exactly with PARLEY_SEED=<seed>.
 */
const seeds = process.env.PARLEY_SEED === undefined ? undefined : [Number(process.env.PARLEY_SEED)];
const badLink: Partial<LinkSettings> = { lossRate: 0.2, duplicateRate: 0.1, reorderRate: 0.1, reorderDelayMs: 40, delayMs: 10, jitterMs: 4 };

/** Mostly small messages, some medium, a few large up to the 1 MiB-plus limit. */
function mixedSizes(rng: Rng, count: number): number[] {
  const sizes: number[] = [];
  for (let index = 0; index < count; index++) {
    const roll = rng.unit();
    if (roll < 0.95) sizes.push(1 + rng.below(256));
    else sizes.push(256 + rng.below(16_384));
  }
  // a few large ones, the largest allowed among them, at seeded places
  for (const size of [channelMessageBytesMax, 1024 * 1024, 700_000, 300_000, 100_000]) sizes[rng.below(count)] = size;
  return sizes;
}

const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function withSeed(seed: number, body: () => void): void {
  try {
    body();
  } catch (error) {
    console.error(`failing seed ${seed}: replay with PARLEY_SEED=${seed} node --import tsx --test test/channel/lossy.test.ts`);
    throw error;
  }
}

/** Sends `count` mixed messages left → right and `reverse` small ones right → left; checks every one. */
function exchange(pair: ChannelPair, count: number, reverse: number): { virtualMs: number } {
  const sizes = mixedSizes(pair.rng, count);
  const messages = sizes.map((size) => pair.rng.bytes(size));
  const expected = messages.map(digest);
  const replies = Array.from({ length: reverse }, (_, index) => pair.rng.bytes(1 + (index % 200)));
  let received = 0;
  pair.right.onMessage((message) => {
    assert.equal(digest(message), expected[received], `seed ${pair.seed}: message ${received} (${message.length} bytes) differs from what was sent`);
    received++;
  });
  pump(pair.left, messages);
  pump(pair.right, replies);
  const done = pair.run(() => received === count && pair.toLeft.length === reverse, 48 * 3_600_000);
  assert.ok(done, `seed ${pair.seed}: ${received} of ${count} and ${pair.toLeft.length} of ${reverse} delivered`);
  replies.forEach((reply, index) => assert.deepEqual(pair.toLeft[index], reply, `seed ${pair.seed}: reply ${index}`));
  // Exactly once: nothing more arrives once the sender has drained.
  assert.ok(pair.run(() => pair.left.channel.idle && pair.right.channel.idle, 3_600_000), `seed ${pair.seed}: never went idle`);
  assert.equal(received, count, `seed ${pair.seed}: extra deliveries`);
  assert.equal(pair.toLeft.length, reverse, `seed ${pair.seed}: extra replies`);
  assert.deepEqual(pair.logs, [], `seed ${pair.seed}: nothing from an honest peer is dropped`);
  return { virtualMs: pair.clock.nowMs() };
}

test('10,000 mixed messages over 20% loss + duplication + reorder: exactly once, in order, intact', (t) => {
  for (const seed of seeds ?? [20_260_101]) {
    withSeed(seed, () => {
      const started = performance.now();
      const pair = channelPair({ seed, link: badLink });
      const { virtualMs } = exchange(pair, 10_000, 1000);
      const left = pair.left.stats();
      t.diagnostic(
        `seed ${seed}: ${(performance.now() - started).toFixed(0)} ms real, ${(virtualMs / 1000).toFixed(1)} s virtual; ` +
          `network lost ${pair.network.stats.lost}, duplicated ${pair.network.stats.duplicated}; ` +
          `sender: ${left.sender.fragmentsSent} fragments sent, ${left.sender.retransmissions} retransmitted, ${left.sender.timeouts} timeouts, ${left.sender.spuriousLosses} spurious`,
      );
    });
  }
});

test('more seeds, shorter runs, varied links', () => {
  for (const seed of seeds ?? [1, 2, 3, 4, 5, 6]) {
    withSeed(seed, () => {
      const pair = channelPair({ seed, link: {} });
      const rng = pair.rng;
      pair.network.setDefaults({
        lossRate: rng.unit() * 0.3,
        duplicateRate: rng.unit() * 0.2,
        reorderRate: rng.unit() * 0.3,
        reorderDelayMs: rng.unit() * 50,
        delayMs: 1 + rng.unit() * 50,
        jitterMs: rng.unit() * 10,
        bandwidthBytesPerSecond: 200_000 + rng.unit() * 5_000_000,
        queueBytesMax: 20_000 + rng.unit() * 200_000,
      });
      exchange(pair, 300, 100);
    });
  }
});
