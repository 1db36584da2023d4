import assert from 'node:assert/strict';
import { bytesToHex } from '../../names/index.ts';
import { consensusRoundsAheadStored } from '../constants.ts';
import { violatesLock } from './evidence.ts';
import { exceedsOneThird, isQuorum, keyHex } from './peer-set.ts';
import type { PeerSet, Verified, Vote, VoteType, VoteValue } from './types.ts';

/**
 * The verified votes of one height, with running weight tallies per (round, type, value), so
 * every threshold in Algorithm 1 is a map lookup. As in the paper, a threshold counts messages:
 * a peer that signed two values counts for each (an equivocator's vote for the value honest
 * peers back must still count, or one equivocator can hide a proof-of-lock from half the peers
 * forever); "any value" thresholds (lines 34, 47) count each peer once. A second value from
 * one peer is a conflict the caller turns into evidence. A peer gets at most two values stored
 * per (round, type), plus any value others also voted for, so it cannot fill memory. Votes more
 * than consensusRoundsAheadStored rounds ahead only record the sender's highest round (line 55).
 */

/** Counted votes for one value, one per voter. */
type ValueTally = { weight: bigint; readonly votes: Map<string, Verified<Vote>> };
type Tally = { readonly byVoter: Map<string, Map<string, Verified<Vote>>>; readonly byValue: Map<string, ValueTally>; any: bigint };
type RoundVotes = { readonly prevote: Tally; readonly precommit: Tally };

const valuesPerVoterStored = 2;

export type AddResult =
  | { readonly kind: 'added' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'conflict'; readonly existing: Verified<Vote> }
  | { readonly kind: 'ahead' };

export function valueKey(value: VoteValue): string {
  return value === null ? 'nil' : bytesToHex(value);
}

/** One stored vote of a voter at (round, type): its value and, for a prevote, its proof-of-lock round. */
function storeKey(vote: Vote): string {
  return vote.type === 'prevote' ? `${valueKey(vote.blockHash)}/${vote.polRound}` : valueKey(vote.blockHash);
}

function newTally(): Tally {
  return { byVoter: new Map(), byValue: new Map(), any: 0n };
}

export class VoteBook {
  readonly peerSet: PeerSet;
  readonly height: number;
  readonly #rounds = new Map<number, RoundVotes>();
  readonly #highestRoundBySender = new Map<string, number>();
  /** Prevotes waiting for the quorum they cite, by `${polRound}:${valueKey}`. */
  readonly #pending = new Map<string, Verified<Vote>[]>();

  constructor(peerSet: PeerSet, height: number) {
    this.peerSet = peerSet;
    this.height = height;
  }

  /** Adds a verified vote from a member of the peer set; `currentRound` bounds what is stored. */
  add(vote: Verified<Vote>, currentRound: number): AddResult {
    const voter = keyHex(vote.voter);
    const index = this.peerSet.indexByKey.get(voter);
    assert.ok(index !== undefined && vote.height === this.height, 'vote book: a verified vote from outside this height\'s peer set');
    this.noteRound(voter, vote.round);
    if (vote.round > currentRound + consensusRoundsAheadStored) return { kind: 'ahead' };
    const tally = this.#round(vote.round)[vote.type];
    const key = storeKey(vote);
    const mine = tally.byVoter.get(voter) ?? new Map<string, Verified<Vote>>();
    if (mine.has(key)) return { kind: 'duplicate' };
    const existing = mine.values().next().value;
    const violated = this.#lockViolatedBy(vote, voter);
    const valueTally = tally.byValue.get(valueKey(vote.blockHash));
    if (existing === undefined || mine.size < valuesPerVoterStored || (valueTally?.weight ?? 0n) > 0n) {
      mine.set(key, vote);
      tally.byVoter.set(voter, mine);
      if (existing === undefined) tally.any += this.peerSet.peers[index]!.weight;
      if (this.#isJustified(vote)) this.#count(vote);
      else {
        const waitingFor = `${vote.polRound}:${valueKey(vote.blockHash)}`;
        this.#pending.set(waitingFor, [...(this.#pending.get(waitingFor) ?? []), vote]);
      }
    }
    if (existing !== undefined) return { kind: 'conflict', existing };
    return violated === undefined ? { kind: 'added' } : { kind: 'conflict', existing: violated };
  }

  /** True when this exact vote (voter, round, type, value, proof-of-lock round) is already stored. */
  has(vote: Vote): boolean {
    return this.#rounds.get(vote.round)?.[vote.type].byVoter.get(keyHex(vote.voter))?.has(storeKey(vote)) ?? false;
  }

  /** Every stored vote of the height, counted or pending: the vote log the forensic exchange sends. */
  allVotes(): Verified<Vote>[] {
    const out: Verified<Vote>[] = [];
    for (const round of this.#rounds.keys()) out.push(...this.votesOfRound(round));
    return out;
  }

  /** The proof-of-lock rounds that stored prevotes of `round` cite (gossip sends those rounds too). */
  citedRounds(round: number): Set<number> {
    const cited = new Set<number>();
    for (const mine of this.#rounds.get(round)?.prevote.byVoter.values() ?? []) {
      for (const vote of mine.values()) if (vote.polRound >= 0) cited.add(vote.polRound);
    }
    return cited;
  }

  #isJustified(vote: Vote): boolean {
    return vote.type === 'precommit' || vote.blockHash === null || vote.polRound < 0 || this.hasQuorumFor(vote.polRound, 'prevote', vote.blockHash);
  }

  /** Counts a vote for its value; a prevote quorum it completes releases the prevotes that cite it. */
  #count(first: Verified<Vote>): void {
    const queue = [first];
    for (let vote = queue.pop(); vote !== undefined; vote = queue.pop()) {
      const voter = keyHex(vote.voter);
      const tally = this.#round(vote.round)[vote.type];
      const key = valueKey(vote.blockHash);
      let valueTally = tally.byValue.get(key);
      if (valueTally === undefined) {
        valueTally = { weight: 0n, votes: new Map() };
        tally.byValue.set(key, valueTally);
      }
      if (valueTally.votes.has(voter)) continue; // the same value with another proof-of-lock round counts once
      const before = isQuorum(valueTally.weight, this.peerSet.totalWeight);
      valueTally.weight += this.peerSet.peers[this.peerSet.indexByKey.get(voter)!]!.weight;
      valueTally.votes.set(voter, vote);
      if (vote.type !== 'prevote' || vote.blockHash === null || before || !isQuorum(valueTally.weight, this.peerSet.totalWeight)) continue;
      const released = this.#pending.get(`${vote.round}:${key}`);
      if (released === undefined) continue;
      this.#pending.delete(`${vote.round}:${key}`);
      queue.push(...released);
    }
  }

  /** A stored vote of the same voter that, with `vote`, is a lock violation (evidence.ts). */
  #lockViolatedBy(vote: Vote, voter: string): Verified<Vote> | undefined {
    if (vote.blockHash === null) return undefined;
    for (const votes of this.#rounds.values()) {
      const other = vote.type === 'prevote' ? votes.precommit : votes.prevote;
      for (const stored of other.byVoter.get(voter)?.values() ?? []) {
        if (vote.type === 'prevote' ? violatesLock(stored, vote) : violatesLock(vote, stored)) return stored;
      }
    }
    return undefined;
  }

  /** Records that `senderHex` sent something for `round` (proposals count too). */
  noteRound(senderHex: string, round: number): void {
    if (round > (this.#highestRoundBySender.get(senderHex) ?? -1)) this.#highestRoundBySender.set(senderHex, round);
  }

  weightFor(round: number, type: VoteType, value: VoteValue): bigint {
    return this.#rounds.get(round)?.[type].byValue.get(valueKey(value))?.weight ?? 0n;
  }

  /** Weight of the distinct peers that sent any vote of this type in this round. */
  weightAny(round: number, type: VoteType): bigint {
    return this.#rounds.get(round)?.[type].any ?? 0n;
  }

  hasQuorumFor(round: number, type: VoteType, value: VoteValue): boolean {
    return isQuorum(this.weightFor(round, type, value), this.peerSet.totalWeight);
  }

  hasQuorumAny(round: number, type: VoteType): boolean {
    return isQuorum(this.weightAny(round, type), this.peerSet.totalWeight);
  }

  /** The block hashes (not nil) that have a precommit quorum in some round: candidates for line 49. */
  *decidedValues(): Generator<{ round: number; blockHash: Uint8Array }> {
    for (const [round, votes] of this.#rounds) {
      for (const [key, tally] of votes.precommit.byValue) {
        if (key === 'nil' || !isQuorum(tally.weight, this.peerSet.totalWeight)) continue;
        yield { round, blockHash: tally.votes.values().next().value!.blockHash! };
      }
    }
  }

  /** The precommits for (round, blockHash), for a certificate. */
  precommitsFor(round: number, blockHash: Uint8Array): Verified<Vote>[] {
    return [...(this.#rounds.get(round)?.precommit.byValue.get(valueKey(blockHash))?.votes.values() ?? [])];
  }

  /** Every stored vote of `round`, conflicting and pending ones included (for gossip: they carry evidence). */
  votesOfRound(round: number): Verified<Vote>[] {
    const votes = this.#rounds.get(round);
    if (votes === undefined) return [];
    const out: Verified<Vote>[] = [];
    for (const tally of [votes.prevote, votes.precommit]) for (const mine of tally.byVoter.values()) out.push(...mine.values());
    return out;
  }

  /**
   * Line 55, weighted: the highest round R > `round` such that senders holding more than 1/3 of
   * the weight sent something for a round ≥ R. At least one of them is honest and already in a
   * round ≥ R, so moving to R never passes every honest peer.
   */
  skipTarget(round: number): number | undefined {
    const ahead: { round: number; weight: bigint }[] = [];
    for (const [sender, highest] of this.#highestRoundBySender) {
      const index = this.peerSet.indexByKey.get(sender);
      if (highest > round && index !== undefined) ahead.push({ round: highest, weight: this.peerSet.peers[index]!.weight });
    }
    ahead.sort((a, b) => b.round - a.round);
    let weight = 0n;
    for (const entry of ahead) {
      weight += entry.weight;
      if (exceedsOneThird(weight, this.peerSet.totalWeight)) return entry.round;
    }
    return undefined;
  }

  #round(round: number): RoundVotes {
    let votes = this.#rounds.get(round);
    if (votes === undefined) {
      votes = { prevote: newTally(), precommit: newTally() };
      this.#rounds.set(round, votes);
    }
    return votes;
  }
}
