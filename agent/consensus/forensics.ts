import assert from 'node:assert/strict';
import { bytesToHex } from '../../names/index.ts';
import { consensusForensicVotesMax, consensusForensicVotesPerVoterMax } from '../constants.ts';
import { equivocates, makeEvidence, violatesLock } from './evidence.ts';
import { keyHex } from './peer-set.ts';
import { markVerified, type Certificate, type Evidence, type PeerSet, type Verified, type Vote } from './types.ts';

/**
 * Forensics after a fork (the Tendermint accountability protocol, pure): two peers that hold
 * conflicting certificates for one height send each other their vote logs of that height (every
 * prevote and precommit they stored, vote-book.ts), and each looks for evidence in the union of
 * both logs and both certificates.
 *
 * Why the union convicts more than 1/3 of the weight when the Byzantine peers hold less than 2/3
 * (docs/DECISIONS.md "Consensus: evidence"): take certificates for B in round r1 and for B' ≠ B
 * in r2 > r1 (one round: the certificates alone convict). Each holds an honest signer, so the
 * union holds the prevote quorum for B in r1 and one for B' in r2, each with the quorums its
 * prevotes cite (peers count a citing prevote only once they hold the cited quorum). Let ρ be
 * the lowest round in (r1, r2] with such a quorum for some block V ≠ B. The signers of the first
 * certificate who prevoted V in ρ hold more than 1/3 of the weight; each cites a round below ρ:
 * below r1, and the pair is a lock violation; above r1, impossible (ρ is the lowest); r1 itself,
 * and there are quorums for V and for B in r1, whose common prevoters (more than 1/3) equivocated.
 */

/** The precommits of a verified certificate, as votes. */
export function votesOfCertificate(peerSet: PeerSet, certificate: Verified<Certificate>): Verified<Vote>[] {
  return certificate.signers.map((index, position) =>
    markVerified({
      type: 'precommit',
      height: certificate.height,
      round: certificate.round,
      polRound: -1,
      blockHash: certificate.blockHash,
      voter: peerSet.peers[index]!.publicKey,
      signature: certificate.signatures[position]!,
    }),
  );
}

/** What the pool did with a vote. */
export type PoolAddResult = 'added' | 'known' | 'full';

/**
 * The verified votes of one forked height, from our log, the peer's logs and both certificates,
 * bounded: at most consensusForensicVotesPerVoterMax per voter and consensusForensicVotesMax in
 * all (a Byzantine voter can sign as many votes as it likes).
 */
export class ForensicPool {
  readonly height: number;
  readonly #byVoter = new Map<string, Map<string, Verified<Vote>>>();
  #size = 0;

  constructor(height: number) {
    this.height = height;
  }

  get size(): number {
    return this.#size;
  }

  add(vote: Verified<Vote>): PoolAddResult {
    assert.ok(vote.height === this.height, 'forensics: a vote of another height');
    const voter = keyHex(vote.voter);
    const mine = this.#byVoter.get(voter) ?? new Map<string, Verified<Vote>>();
    const key = `${vote.type}:${vote.round}:${vote.polRound}:${vote.blockHash === null ? 'nil' : bytesToHex(vote.blockHash)}`;
    if (mine.has(key)) return 'known';
    if (mine.size >= consensusForensicVotesPerVoterMax || this.#size >= consensusForensicVotesMax) return 'full';
    mine.set(key, vote);
    this.#byVoter.set(voter, mine);
    this.#size++;
    return 'added';
  }

  /** One piece of evidence per offending voter: an equivocation if there is one, else a lock violation. */
  detect(): Verified<Evidence>[] {
    const out: Verified<Evidence>[] = [];
    for (const votes of this.#byVoter.values()) {
      const found = findEquivocation([...votes.values()]) ?? findLockViolation([...votes.values()]);
      if (found !== null) out.push(markVerified(makeEvidence(found[0], found[1])));
    }
    return out;
  }
}

function findEquivocation(votes: readonly Vote[]): [Vote, Vote] | null {
  const byStep = new Map<string, Vote>();
  for (const vote of votes) {
    const step = `${vote.type}:${vote.round}`;
    const other = byStep.get(step);
    if (other !== undefined && equivocates(other, vote)) return [other, vote];
    byStep.set(step, vote);
  }
  return null;
}

function findLockViolation(votes: readonly Vote[]): [Vote, Vote] | null {
  const precommits = votes.filter((vote) => vote.type === 'precommit' && vote.blockHash !== null);
  for (const prevote of votes) {
    if (prevote.type !== 'prevote' || prevote.blockHash === null) continue;
    const precommit = precommits.find((candidate) => violatesLock(candidate, prevote));
    if (precommit !== undefined) return [precommit, prevote];
  }
  return null;
}
