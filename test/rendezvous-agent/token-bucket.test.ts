import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fullBucket, KeyedBuckets, sourceHost, takeTokens } from '../../agent/rendezvous/index.ts';

test('a bucket allows its burst, then its rate, never more', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 60 }), (rate, burst, gaps) => {
      const limits = { ratePerSecond: rate, burst };
      const bucket = fullBucket(limits, 0);
      let nowMs = 0;
      let allowed = 0;
      for (const gap of gaps) {
        nowMs += gap;
        if (takeTokens(bucket, limits, nowMs)) allowed += 1;
      }
      assert.ok(allowed <= burst + (nowMs * rate) / 1000 + 1e-9);
      assert.ok(bucket.tokens >= 0 && bucket.tokens <= burst);
    }),
  );
});

test('keyed buckets forget the least recently used key past their bound', () => {
  const buckets = new KeyedBuckets({ ratePerSecond: 0.001, burst: 1 }, 3);
  assert.ok(buckets.take('a', 0));
  assert.ok(!buckets.take('a', 0));
  for (const key of ['b', 'c', 'd']) buckets.take(key, 0);
  assert.equal(buckets.size, 3);
  assert.ok(buckets.take('a', 0), 'forgotten: a full bucket again');
});

test('per-source limits count the host, not the port', () => {
  assert.equal(sourceHost('198.18.1.2:40000'), '198.18.1.2');
  assert.equal(sourceHost('[2001:db8::1]:40000'), '[2001:db8::1]');
});
