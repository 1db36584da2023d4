import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectIk, makeParty, Network } from './harness.ts';

describe('static-static DH cache (WireGuard’s precomputed ss)', () => {
  test('a repeat IK handshake with a known peer does three DH on each side, not four, and still works', () => {
    const alice = makeParty('alice', 1, '10.0.0.1:1');
    const bob = makeParty('bob', 2, '10.0.0.2:2');
    const network = new Network(0, alice, bob);
    const counts: [number, number][] = [];
    for (let round = 0; round < 3; round++) {
      const [aliceBefore, bobBefore] = [alice.counter.dh, bob.counter.dh];
      const peer = connectIk(network, alice, bob);
      network.apply(alice, { kind: 'send', peer, payload: Uint8Array.of(round) });
      network.flush();
      assert.ok(bob.effects.some((effect) => effect.kind === 'deliver' && effect.payload[0] === round), `round ${round}: data flows`);
      counts.push([alice.counter.dh - aliceBefore, bob.counter.dh - bobBefore]);
      network.apply(alice, { kind: 'close', peer });
      network.flush();
      network.nowMs += 1_000;
    }
    assert.deepEqual(counts, [[4, 4], [3, 3], [3, 3]], 'ss is computed once per peer pair');
  });
});
