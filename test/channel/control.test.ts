import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NewReno, Pacer } from '../../rendezvous/channel/congestion.ts';
import { RangeSet } from '../../rendezvous/channel/ranges.ts';
import { RttEstimator } from '../../rendezvous/channel/rtt.ts';
import { channelPacingBurstDatagrams, channelRtoInitialMs, channelRtoMaxMs, channelRtoMinMs } from '../../rendezvous/constants.ts';

test('RTT: RFC 6298 §2.1–2.3 on the first and later samples', () => {
  const rtt = new RttEstimator();
  assert.equal(rtt.retransmitTimeoutMs, channelRtoInitialMs, '§2.1: 1 s before any sample');
  rtt.sample(100, 0);
  assert.equal(rtt.smoothedMs, 100);
  assert.equal(rtt.variationMs, 50);
  assert.equal(rtt.retransmitTimeoutMs, 300); // 100 + 4 × 50
  rtt.sample(200, 0);
  assert.equal(rtt.variationMs, 0.75 * 50 + 0.25 * 100);
  assert.equal(rtt.smoothedMs, 0.875 * 100 + 0.125 * 200);
  assert.equal(rtt.retransmitTimeoutMs, 112.5 + 4 * 62.5);
});

test('RTT: bounds, ACK delay (RFC 9002 §5.3) and backoff (RFC 6298 §5.5)', () => {
  const rtt = new RttEstimator();
  rtt.sample(1, 0);
  assert.equal(rtt.retransmitTimeoutMs, channelRtoMinMs, 'clamped to the minimum');
  const delayed = new RttEstimator();
  delayed.sample(40, 0);
  delayed.sample(50, 5); // 50 − 5 ≥ min 40: the delay is subtracted
  assert.equal(delayed.smoothedMs, 0.875 * 40 + 0.125 * 45);
  delayed.sample(42, 5); // 42 − 5 < min 40: it is not
  assert.equal(delayed.latestMs, 42);
  const backing = new RttEstimator();
  backing.sample(300, 0); // RTO 900
  backing.onTimeout();
  assert.equal(backing.retransmitTimeoutMs, 1800);
  for (let index = 0; index < 20; index++) backing.onTimeout();
  assert.equal(backing.retransmitTimeoutMs, channelRtoMaxMs);
  backing.onProgress();
  assert.equal(backing.retransmitTimeoutMs, 900);
});

test('NewReno: slow start, one reduction per recovery period, avoidance, timeout', () => {
  const size = 1000;
  const reno = new NewReno(size);
  assert.equal(reno.windowBytes, 10 * size);
  reno.onAcked(size, 0, 10 * size);
  assert.equal(reno.windowBytes, 11 * size, 'slow start adds what was acknowledged');
  reno.onAcked(size, 1, 1000);
  assert.equal(reno.windowBytes, 11 * size, 'application-limited: no growth');
  reno.onLost(5, 20);
  assert.equal(reno.windowBytes, 5.5 * size);
  reno.onLost(6, 21);
  assert.equal(reno.windowBytes, 5.5 * size, 'a loss from before the reduction does not reduce again');
  reno.onAcked(size, 19, 5.5 * size);
  assert.equal(reno.windowBytes, 5.5 * size, 'no growth for datagrams sent before recovery began');
  reno.onAcked(size, 20, 5.5 * size);
  assert.equal(reno.windowBytes, 5.5 * size + (size * size) / (5.5 * size), 'congestion avoidance: one datagram per window');
  reno.onLost(30, 40);
  assert.ok(reno.windowBytes < 5.5 * size, 'a loss after recovery reduces again');
  reno.onRetransmitTimeout(8 * size, 50);
  assert.equal(reno.windowBytes, 2 * size, 'RFC 5681 §3.1: back to the minimum window');
  assert.equal(reno.slowStartThresholdBytes, 4 * size);
  for (let index = 0; index < 100; index++) reno.onLost(10, 50);
  assert.equal(reno.windowBytes, 2 * size, 'never below the minimum window');
});

test('pacer: a burst, then datagrams spread at the rate', () => {
  const size = 1000;
  const pacer = new Pacer(size);
  const rate = Pacer.rateBytesPerMs(10 * size, 10); // 1.25 × 10 datagrams per 10 ms
  assert.equal(rate, 1250);
  pacer.refill(0, rate);
  let sent = 0;
  while (pacer.ready) {
    pacer.onSend(size);
    sent++;
  }
  assert.equal(sent, channelPacingBurstDatagrams + 1, 'the bucket holds a burst (plus the datagram that goes into debt)');
  const next = pacer.nextReadyMs(0, rate);
  assert.ok(Math.abs(next - size / rate) < 1e-9, `next slot at ${next}`);
  pacer.refill(next, rate);
  assert.ok(pacer.ready, 'out of debt at the next slot');
  assert.ok(pacer.nextReadyMs(5, rate) > 5, 'a wake-up is always in the future');
});

test('range set: merges neighbours and shifts the lowest range', () => {
  const set = new RangeSet();
  for (const seq of [5, 7, 6, 10, 9, 1]) assert.ok(set.add(seq), `add ${seq}`);
  assert.ok(!set.add(6), 'a second add is refused');
  assert.deepEqual(set.ranges, [{ start: 1, end: 2 }, { start: 5, end: 8 }, { start: 9, end: 11 }]);
  assert.ok(set.has(10) && set.has(5) && !set.has(8) && !set.has(0), 'membership');
  assert.equal(set.shiftIfStartsAt(2), undefined);
  assert.deepEqual(set.shiftIfStartsAt(1), { start: 1, end: 2 });
  assert.equal(set.size, 2);
});
