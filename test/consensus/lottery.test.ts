import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '../../names/index.ts';
import { beaconInput, genesisSeed, lotteryDraw, makePeerSet, nextSeed, proposerIndex, vrfProve, vrfVerify } from '../../agent/consensus/index.ts';
import { chainId, fixture, hash } from './helpers.ts';

/** The stake-weighted proposer lottery: deterministic, and proportional to stake. */

test('deterministic: the same seed, height, round and peer set draw the same proposer', () => {
  const f = fixture([5n, 1n, 3n, 7n]);
  const seed = genesisSeed(chainId);
  for (let height = 1; height < 50; height++) {
    for (let round = 0; round < 4; round++) assert.equal(proposerIndex(f.peerSet, seed, height, round), proposerIndex(f.peerSet, seed.slice(), height, round));
  }
  // The draw depends on the peer set only through key order and weights.
  const shuffled = makePeerSet(chainId, [...f.peerSet.peers].reverse());
  assert.equal(proposerIndex(shuffled, seed, 9, 2), proposerIndex(f.peerSet, seed, 9, 2));
});

test('stake-proportional over many draws (chi-square, 4 degrees of freedom)', () => {
  const weights = [1n, 2n, 3n, 4n, 10n];
  const f = fixture(weights);
  const counts = new Array<number>(weights.length).fill(0);
  let seed = genesisSeed(chainId);
  const draws = 40_000;
  for (let draw = 0; draw < draws; draw++) {
    if (draw % 4 === 0) seed = nextSeed(seed, hash(`beacon ${draw}`));
    counts[proposerIndex(f.peerSet, seed, 1 + Math.floor(draw / 4), draw % 4)]!++;
  }
  const total = Number(f.peerSet.totalWeight);
  let chiSquare = 0;
  f.peerSet.peers.forEach((peer, index) => {
    const expected = (draws * Number(peer.weight)) / total;
    chiSquare += (counts[index]! - expected) ** 2 / expected;
    assert.ok(Math.abs(counts[index]! / expected - 1) < 0.05, `peer ${index}: ${counts[index]} draws, expected ${expected.toFixed(0)}`);
  });
  assert.ok(chiSquare < 18.47, `chi-square ${chiSquare.toFixed(2)} ≥ 18.47 (p = 0.001)`);
});

test('every draw is below the total weight, even for huge stakes', () => {
  const f = fixture([2n ** 62n, 3n, 2n ** 63n + 5n]);
  for (let round = 0; round < 200; round++) {
    assert.ok(lotteryDraw(genesisSeed(chainId), 1, round, f.peerSet.totalWeight) < f.peerSet.totalWeight);
    const index = proposerIndex(f.peerSet, genesisSeed(chainId), 1, round);
    assert.ok(index >= 0 && index < 3);
  }
});

test('the seed chain: the next seed follows from the proposer\'s unique VRF output, not from the block', () => {
  const f = fixture([1n, 1n, 1n, 1n]);
  const seed = genesisSeed(chainId);
  const proposer = proposerIndex(f.peerSet, seed, 1, 0);
  const input = beaconInput(chainId, 1, seed);
  const proof = vrfProve(f.secretsInOrder[proposer]!, input);
  const output = vrfVerify(f.keys[proposer]!, input, proof);
  assert.ok(output !== null);
  // Proving again (say, for another block the proposer tries) gives the same proof and output.
  assert.equal(bytesToHex(vrfProve(f.secretsInOrder[proposer]!, input)), bytesToHex(proof));
  const next = nextSeed(seed, output);
  assert.notEqual(bytesToHex(next), bytesToHex(seed));
  // Another peer's proof for the same input is not accepted as the proposer's.
  const other = (proposer + 1) % 4;
  assert.equal(vrfVerify(f.keys[proposer]!, input, vrfProve(f.secretsInOrder[other]!, input)), null);
});
