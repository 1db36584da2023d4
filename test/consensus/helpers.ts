import { schnorrPublicKey, seededRng, taggedHash, type Rng } from '../../names/index.ts';
import {
  AgentError,
} from '../../agent/index.ts';
import {
  bip340Crypto,
  devnetConsensusParams,
  genesisSeed,
  initialState,
  makePeerSet,
  markVerified,
  type ConsensusCrypto,
  type ConsensusParams,
  type ConsensusState,
  type GuardRecord,
  type PeerSet,
  type ProposalEntry,
  type Verified,
  type Vote,
  type VoteType,
} from '../../agent/consensus/index.ts';

/** Shared fixtures for the consensus unit tests. */

export const chainId = taggedHash('parley/test/chain', new Uint8Array([1]));

export const hasCode =
  (code: string) =>
  (error: unknown): boolean =>
    error instanceof AgentError && error.code === code;

/** A BIP340 secret key drawn from `rng` (32 bytes that are 0 or ≥ n, astronomically rare, are drawn again). */
export function secretKeyFrom(rng: Rng): Uint8Array {
  for (;;) {
    const key = rng.bytes(32);
    try {
      schnorrPublicKey(key);
      return key;
    } catch {
      // draw again
    }
  }
}

/** Deterministic secret keys. */
export function secretKeys(count: number, seed = 7): Uint8Array[] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, () => secretKeyFrom(rng));
}

export type Fixture = {
  readonly secrets: Uint8Array[];
  /** Public keys in peer-set order. */
  readonly keys: Uint8Array[];
  /** Secret keys in peer-set order. */
  readonly secretsInOrder: Uint8Array[];
  readonly peerSet: PeerSet;
  readonly crypto: ConsensusCrypto;
  readonly rng: Rng;
};

export function fixture(weights: readonly bigint[], seed = 7): Fixture {
  const secrets = secretKeys(weights.length, seed);
  const peerSet = makePeerSet(
    chainId,
    secrets.map((secret, index) => ({ publicKey: schnorrPublicKey(secret), weight: weights[index]! })),
  );
  const keys = peerSet.peers.map((peer) => peer.publicKey);
  const secretsInOrder = keys.map((key) => secrets.find((secret) => Buffer.from(schnorrPublicKey(secret)).equals(Buffer.from(key)))!);
  const rng = seededRng(seed + 1);
  return { secrets, keys, secretsInOrder, peerSet, crypto: bip340Crypto(rng), rng };
}

/** An unsigned-but-"verified" vote for pure state-machine tests (signatures are ingress's job). */
export function vote(voter: Uint8Array, type: VoteType, height: number, round: number, blockHash: Uint8Array | null, polRound = -1): Verified<Vote> {
  return markVerified({ type, height, round, polRound, blockHash, voter, signature: new Uint8Array(64) });
}

export function hash(label: string): Uint8Array {
  return taggedHash('parley/test/block', new TextEncoder().encode(label));
}

export function proposalEntry(proposer: Uint8Array, height: number, round: number, label: string, options: { validRound?: number; valid?: boolean } = {}): ProposalEntry {
  const block = new TextEncoder().encode(label);
  return {
    proposal: markVerified({ height, round, validRound: options.validRound ?? -1, proposer, beaconProof: new Uint8Array(81), block, signature: new Uint8Array(64) }),
    blockHash: hash(label),
    valid: options.valid ?? true,
    beaconOutput: taggedHash('parley/test/beacon', block),
  };
}

export function machineState(peerSet: PeerSet, self: Uint8Array | null, options: { params?: ConsensusParams; guard?: GuardRecord | null; height?: number } = {}): ConsensusState {
  return initialState({
    chainId,
    params: options.params ?? devnetConsensusParams,
    self,
    height: options.height ?? 1,
    peerSet,
    seed: genesisSeed(chainId),
    prevHash: new Uint8Array(32),
    previousCertificate: null,
    guard: options.guard ?? null,
  });
}
