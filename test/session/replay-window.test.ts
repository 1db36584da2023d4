import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sessionReplayWindowPackets } from '../../rendezvous/constants.ts';
import { ReplayWindow } from '../../rendezvous/session/index.ts';

/** The reference model: a set of every counter seen, and the greatest. */
function modelVerdict(seen: Set<number>, greatest: number, counter: number): string {
  if (greatest >= 0 && counter <= greatest && greatest - counter >= sessionReplayWindowPackets) return 'too-old';
  return seen.has(counter) ? 'replayed' : 'fresh';
}

test('the window is at least 2048 packets (WireGuard keeps 2048+)', () => {
  assert.ok(sessionReplayWindowPackets >= 2048);
});

test('agrees with a set-based model on random counter sequences, including big jumps', () => {
  const counter = fc.oneof(fc.nat(20_000), fc.integer({ min: 0, max: 2 ** 52 }));
  fc.assert(
    fc.property(fc.array(fc.oneof(counter, fc.nat(300)), { maxLength: 400 }), (counters) => {
      const window = new ReplayWindow();
      const seen = new Set<number>();
      let greatest = -1;
      for (const value of counters) {
        const verdict = window.check(value);
        assert.equal(verdict, modelVerdict(seen, greatest, value), `counter ${value} after greatest ${greatest}`);
        if (verdict === 'fresh') {
          window.accept(value);
          seen.add(value);
          greatest = Math.max(greatest, value);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('reordering within the window is accepted exactly once; behind it is too old', () => {
  const window = new ReplayWindow();
  const base = 10_000;
  window.accept(base);
  for (let offset = 1; offset < sessionReplayWindowPackets; offset++) {
    assert.equal(window.check(base - offset), 'fresh', `offset ${offset}`);
    window.accept(base - offset);
    assert.equal(window.check(base - offset), 'replayed');
  }
  assert.equal(window.check(base - sessionReplayWindowPackets), 'too-old');
  window.accept(base + 5000);
  assert.equal(window.check(base), 'too-old');
  assert.equal(window.check(base + 4999), 'fresh');
});
