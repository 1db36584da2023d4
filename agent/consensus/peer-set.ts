import { bytesToHex, isValidXOnlyPublicKey } from '../../names/index.ts';
import { consensusHashBytes, consensusPeersMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import type { Peer, PeerSet } from './types.ts';

/**
 * Peer sets and the weighted thresholds of the protocol. Tendermint's "2f + 1" becomes "more
 * than 2/3 of the total weight" and "f + 1" becomes "more than 1/3", both strict and in integer
 * arithmetic: 3·w > 2·total, 3·w > total. Exactly 2/3 is not a quorum.
 */

export function keyHex(key: Uint8Array): string {
  return bytesToHex(key);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

export function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && compareBytes(a, b) === 0;
}

/**
 * Builds a peer set: sorts by key, rejects an empty set, duplicate or invalid keys, weights ≤ 0
 * and more than consensusPeersMax peers (CONSENSUS_BAD_PEER_SET). `validateKeys` can be turned
 * off for simulated keys that are not curve points.
 */
export function makePeerSet(chainId: Uint8Array, peers: readonly Peer[], options: { validateKeys?: boolean } = {}): PeerSet {
  const fail = (message: string): never => {
    throw new AgentError('CONSENSUS_BAD_PEER_SET', `peer set: ${message}`);
  };
  if (!(chainId instanceof Uint8Array) || chainId.length !== consensusHashBytes) fail(`chain id must be ${consensusHashBytes} bytes`);
  if (peers.length === 0) fail('no peers');
  if (peers.length > consensusPeersMax) fail(`${peers.length} peers, at most ${consensusPeersMax}`);
  const sorted = [...peers].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
  const indexByKey = new Map<string, number>();
  let totalWeight = 0n;
  sorted.forEach((peer, index) => {
    if (!(peer.publicKey instanceof Uint8Array) || peer.publicKey.length !== 32) fail(`peer ${index}: key must be 32 bytes`);
    if (options.validateKeys !== false && !isValidXOnlyPublicKey(peer.publicKey)) fail(`peer ${index}: key is not a BIP340 x-only key`);
    if (typeof peer.weight !== 'bigint' || peer.weight <= 0n) fail(`peer ${keyHex(peer.publicKey)}: weight must be a positive bigint`);
    const hex = keyHex(peer.publicKey);
    if (indexByKey.has(hex)) fail(`duplicate key ${hex}`);
    indexByKey.set(hex, index);
    totalWeight += peer.weight;
  });
  return Object.freeze({
    chainId: chainId.slice(),
    peers: Object.freeze(sorted.map((peer) => Object.freeze({ publicKey: peer.publicKey.slice(), weight: peer.weight }))),
    totalWeight,
    indexByKey,
  });
}

export function peerIndex(peerSet: PeerSet, key: Uint8Array): number | undefined {
  return peerSet.indexByKey.get(keyHex(key));
}

export function peerWeight(peerSet: PeerSet, key: Uint8Array): bigint {
  const index = peerIndex(peerSet, key);
  return index === undefined ? 0n : peerSet.peers[index]!.weight;
}

/** More than 2/3 of the total weight (Tendermint's 2f + 1). */
export function isQuorum(weight: bigint, totalWeight: bigint): boolean {
  return 3n * weight > 2n * totalWeight;
}

/** More than 1/3 of the total weight (Tendermint's f + 1): at least one honest peer among them. */
export function exceedsOneThird(weight: bigint, totalWeight: bigint): boolean {
  return 3n * weight > totalWeight;
}

/** Sum of the weights of distinct keys (hex) that are members of the set. */
export function weightOf(peerSet: PeerSet, keysHex: Iterable<string>): bigint {
  let sum = 0n;
  const seen = new Set<string>();
  for (const hex of keysHex) {
    if (seen.has(hex)) continue;
    seen.add(hex);
    const index = peerSet.indexByKey.get(hex);
    if (index !== undefined) sum += peerSet.peers[index]!.weight;
  }
  return sum;
}
