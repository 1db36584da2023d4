import assert from 'node:assert/strict';
import { taggedHash } from '../../names/index.ts';
import { Writer } from './bytes.ts';
import { consensusTags } from './signing.ts';
import type { Peer, PeerSet } from './types.ts';

/**
 * The proposer lottery and the beacon seed it draws from (docs/DECISIONS.md "Consensus: proposer
 * lottery"). The seed of height h + 1 hashes the seed of height h with the beacon (VRF) output of
 * the proposer whose block was finalized at h; a VRF output is unique per key and input, so that
 * proposer's only choice is to propose or not, never which seed follows.
 *
 *   seed(1)     = tagged("parley/consensus/genesis-seed", chainId)
 *   input(h)    = tagged("parley/consensus/beacon-input", chainId ‖ u64 h ‖ seed(h))
 *   seed(h + 1) = tagged("parley/consensus/seed", seed(h) ‖ VRF_output(proposer(h, r_commit), input(h)))
 *   draw(h, r)  = uint256(tagged("parley/consensus/lottery", seed(h) ‖ u64 h ‖ u32 r)) mod totalWeight
 *
 * The peer whose cumulative weight range (in key order) holds the draw proposes: probability
 * weight/total exactly, up to a bias of total/2^256.
 */

export function genesisSeed(chainId: Uint8Array): Uint8Array {
  return taggedHash(consensusTags.genesisSeed, chainId);
}

export function beaconInput(chainId: Uint8Array, height: number, seed: Uint8Array): Uint8Array {
  return taggedHash(consensusTags.beaconInput, new Writer().bytes(chainId).u64(height).bytes(seed).finish());
}

export function nextSeed(seed: Uint8Array, beaconOutput: Uint8Array): Uint8Array {
  return taggedHash(consensusTags.seed, seed, beaconOutput);
}

export function lotteryDraw(seed: Uint8Array, height: number, round: number, totalWeight: bigint): bigint {
  const digest = taggedHash(consensusTags.lottery, new Writer().bytes(seed).u64(height).u32(round).finish());
  let value = 0n;
  for (const byte of digest) value = (value << 8n) | BigInt(byte);
  return value % totalWeight;
}

/** Index (in key order) of the proposer for (height, round). */
export function proposerIndex(peerSet: PeerSet, seed: Uint8Array, height: number, round: number): number {
  let draw = lotteryDraw(seed, height, round, peerSet.totalWeight);
  for (let index = 0; index < peerSet.peers.length; index++) {
    const weight = peerSet.peers[index]!.weight;
    if (draw < weight) return index;
    draw -= weight;
  }
  return assert.fail('lottery: the draw is below the total weight, so some peer holds it');
}

export function proposerOf(peerSet: PeerSet, seed: Uint8Array, height: number, round: number): Peer {
  return peerSet.peers[proposerIndex(peerSet, seed, height, round)]!;
}
