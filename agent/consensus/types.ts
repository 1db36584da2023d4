/**
 * The data of the consensus protocol (docs/PROTOCOL.md "Consensus"). Byte layouts live in
 * messages.ts; what is signed, in signing.ts. Heights and rounds are JS integers (heights
 * below 2^53, rounds below 2^31); weights are bigint so stake sums never round.
 */

/** One peer of a peer set: its BIP340 x-only consensus key and its weight (stake hosted). */
export type Peer = {
  readonly publicKey: Uint8Array;
  readonly weight: bigint;
};

/**
 * The peers that vote at one height, sorted by key (the order of a certificate's signer bitmap),
 * with the chain they vote for: `chainId` is 32 bytes (the ledger's chain parameters hash), so a
 * vote for one chain is never a vote for another.
 */
export type PeerSet = {
  readonly chainId: Uint8Array;
  readonly peers: readonly Peer[];
  readonly totalWeight: bigint;
  /** Hex key → index into `peers`. */
  readonly indexByKey: ReadonlyMap<string, number>;
};

export const voteTypes = { prevote: 1, precommit: 2 } as const;
export type VoteType = 'prevote' | 'precommit';

/** A vote's value: a block hash, or nil (Tendermint's "nil": no block this round). */
export type VoteValue = Uint8Array | null;

export type Vote = {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  /**
   * The proof-of-lock round a prevote for a block relies on: −1 (none: the peer holds no lock),
   * or an earlier round of this height with more than 2/3 of the weight prevoting this block
   * (the proposal's valid round, or the round the peer locked this block in). Always −1 for
   * precommits and nil prevotes. Signed, so a lock violation is provable (evidence.ts).
   */
  readonly polRound: number;
  readonly blockHash: VoteValue;
  readonly voter: Uint8Array;
  readonly signature: Uint8Array;
};

export type Proposal = {
  readonly height: number;
  readonly round: number;
  /** Tendermint's validRound: −1, or the earlier round whose prevote quorum backs this block. */
  readonly validRound: number;
  readonly proposer: Uint8Array;
  /** The proposer's beacon (VRF) proof for this height: see beacon.ts. */
  readonly beaconProof: Uint8Array;
  readonly block: Uint8Array;
  readonly signature: Uint8Array;
};

/**
 * A commit certificate: precommit signatures for (height, round, blockHash) from peers holding
 * more than 2/3 of the weight, as a signer bitmap over the peer set plus the signatures in
 * bitmap order, and the beacon proof of the round's proposer (which seeds the next lottery).
 */
export type Certificate = {
  readonly height: number;
  readonly round: number;
  readonly blockHash: Uint8Array;
  readonly peerCount: number;
  /** Indexes into the peer set, strictly increasing. */
  readonly signers: readonly number[];
  readonly signatures: readonly Uint8Array[];
  readonly beaconProof: Uint8Array;
};

/**
 * Two signed votes of one voter at one height that an honest peer never signs together
 * (evidence.ts): an equivocation (one type and round, two different votes) or a lock violation
 * (a precommit for a block in round r, then a prevote for another block in a later round citing
 * a proof-of-lock round below r). Which one follows from the votes' types and rounds.
 */
export type Evidence = {
  readonly first: Vote;
  readonly second: Vote;
};

/** Part of a peer's votes of one height, sent to a peer with a conflicting decision (forensics.ts). */
export type VoteLog = {
  readonly height: number;
  readonly votes: readonly Vote[];
};

/** Sent to a lagging peer: a finalized block and its certificate. */
export type Decision = {
  readonly block: Uint8Array;
  readonly certificate: Certificate;
};

/**
 * Unsigned and cheap: "I am at this height, on this previous block". A peer that is ahead, or
 * that finalized a different previous block (a fork), answers with its Decision.
 */
export type Status = {
  readonly height: number;
  readonly prevHash: Uint8Array;
};

export type ConsensusMessage =
  | { readonly kind: 'proposal'; readonly proposal: Proposal }
  | { readonly kind: 'vote'; readonly vote: Vote }
  | { readonly kind: 'decision'; readonly decision: Decision }
  | { readonly kind: 'evidence'; readonly evidence: Evidence }
  | { readonly kind: 'status'; readonly status: Status }
  | { readonly kind: 'vote-log'; readonly log: VoteLog };

declare const verifiedBrand: unique symbol;
/** Data whose signatures (and beacon proof) were checked against the peer set of its height. */
export type Verified<T> = T & { readonly [verifiedBrand]: true };

/** Marks data as verified. Only the verifying functions (ingress.ts, certificate.ts) call this. */
export function markVerified<T>(value: T): Verified<T> {
  return value as Verified<T>;
}
