import type { GuardRecord } from './guard.ts';
import type { ConsensusParams } from './params.ts';
import type { Certificate, ConsensusMessage, Evidence, PeerSet, Proposal, Verified, Vote, VoteType, VoteValue } from './types.ts';
import { VoteBook } from './vote-book.ts';

/**
 * The state, inputs and outputs of the consensus state machine (machine.ts), and how a state is
 * made for a height — fresh, or restored from the sign guard after a restart.
 */

export type Step = 'waiting' | 'propose' | 'prevote' | 'precommit' | 'decided';

/** A verified proposal with what the driver learned checking it. */
export type ProposalEntry = {
  readonly proposal: Verified<Proposal>;
  readonly blockHash: Uint8Array;
  /** valid(v) of the paper: the application accepted the block. */
  readonly valid: boolean;
  /** The proposer's beacon output (its proof verified). */
  readonly beaconOutput: Uint8Array;
};

export type Timeout = { readonly step: 'start' | 'propose' | 'prevote' | 'precommit'; readonly height: number; readonly round: number };

export type ConsensusEvent =
  | { readonly kind: 'timeout'; readonly timeout: Timeout }
  | { readonly kind: 'proposal'; readonly entry: ProposalEntry }
  | { readonly kind: 'vote'; readonly vote: Verified<Vote> }
  /** A certificate for the current height that arrived without its round (catch-up). */
  | { readonly kind: 'decision'; readonly block: Uint8Array; readonly blockHash: Uint8Array; readonly certificate: Verified<Certificate>; readonly beaconOutput: Uint8Array }
  /** The driver committed the decided block; the next height votes with `peerSet`. */
  | { readonly kind: 'next-height'; readonly peerSet: PeerSet }
  | { readonly kind: 'gossip' };

export type ConsensusEffect =
  | { readonly kind: 'sign-vote'; readonly vote: { readonly type: VoteType; readonly height: number; readonly round: number; readonly polRound: number; readonly blockHash: VoteValue } }
  /** Propose `block` (null: ask the application for a new one) with the beacon proof for this height. */
  | { readonly kind: 'propose'; readonly height: number; readonly round: number; readonly validRound: number; readonly block: Uint8Array | null; readonly blockHash: Uint8Array | null; readonly seed: Uint8Array; readonly prevHash: Uint8Array; readonly previousCertificate: Certificate | null }
  | { readonly kind: 'schedule'; readonly timeout: Timeout; readonly atMs: number }
  | { readonly kind: 'commit'; readonly height: number; readonly block: Uint8Array; readonly blockHash: Uint8Array; readonly certificate: Certificate; readonly seed: Uint8Array; readonly nextSeed: Uint8Array }
  | { readonly kind: 'broadcast'; readonly message: ConsensusMessage }
  | { readonly kind: 'evidence'; readonly evidence: Verified<Evidence> }
  | { readonly kind: 'log'; readonly reason: string };

export type ConsensusState = {
  readonly chainId: Uint8Array;
  readonly params: ConsensusParams;
  /** Our consensus key; null for an observer that follows without voting. */
  readonly self: Uint8Array | null;
  height: number;
  round: number;
  step: Step;
  peerSet: PeerSet;
  /** The beacon seed of this height (lottery.ts). */
  seed: Uint8Array;
  prevHash: Uint8Array;
  previousCertificate: Certificate | null;
  heightStartedAtMs: number;
  /** lockedValue/lockedRound (lines 6–7): the hash is enough, a lock only gates prevotes. */
  locked: { readonly round: number; readonly blockHash: Uint8Array } | null;
  /** validValue/validRound (lines 8–9): the block, to propose it again. */
  valid: { readonly round: number; readonly block: Uint8Array; readonly blockHash: Uint8Array } | null;
  proposals: Map<number, ProposalEntry[]>;
  votes: VoteBook;
  /** Votes of the previous height (and the round it was decided in): late conflicting votes there are still evidence. */
  previousVotes: VoteBook | null;
  previousRound: number;
  /** "for the first time" flags of lines 34, 36 and 47, per round. */
  prevoteTimeoutRounds: Set<number>;
  precommitTimeoutRounds: Set<number>;
  polkaRounds: Set<number>;
  /** The round and step a restarted peer resumes at (from its sign guard), for this height. */
  resume: { readonly round: number; readonly step: 'propose' | 'prevote' | 'precommit' } | null;
  decided: { readonly blockHash: Uint8Array; readonly certificate: Certificate; readonly nextSeed: Uint8Array } | null;
  offences: Set<string>;
  /** (height, round, step) at the previous gossip tick: re-send only when nothing moved. */
  lastGossipPoint: string;
};

export type InitialStateOptions = {
  readonly chainId: Uint8Array;
  readonly params: ConsensusParams;
  readonly self: Uint8Array | null;
  /** The height to decide next (the last committed one + 1). */
  readonly height: number;
  readonly peerSet: PeerSet;
  readonly seed: Uint8Array;
  readonly prevHash: Uint8Array;
  readonly previousCertificate: Certificate | null;
  /** What the sign guard holds: a restarted peer resumes its round, step and lock from it. */
  readonly guard: GuardRecord | null;
  /** False: keep only the lock, start the height from round 0 (fault injection; see node.ts). */
  readonly resume?: boolean;
};

export function initialState(options: InitialStateOptions): ConsensusState {
  const guard = options.guard !== null && options.guard.height === options.height ? options.guard : null;
  const lock = guard?.lock !== null && guard?.lock !== undefined && guard.lock.height === options.height ? guard.lock : null;
  return {
    chainId: options.chainId,
    params: options.params,
    self: options.self,
    height: options.height,
    round: 0,
    step: 'waiting',
    peerSet: options.peerSet,
    seed: options.seed,
    prevHash: options.prevHash,
    previousCertificate: options.previousCertificate,
    heightStartedAtMs: -Infinity,
    locked: lock === null ? null : { round: lock.round, blockHash: lock.blockHash },
    valid: null,
    proposals: new Map(),
    votes: new VoteBook(options.peerSet, options.height),
    previousVotes: null,
    previousRound: 0,
    prevoteTimeoutRounds: new Set(),
    precommitTimeoutRounds: new Set(),
    polkaRounds: new Set(),
    resume: guard === null || options.resume === false ? null : { round: guard.round, step: guard.step },
    decided: null,
    offences: new Set(),
    lastGossipPoint: '',
  };
}
