import assert from 'node:assert/strict';
import { taggedHash } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { bip340Verifier, type SignatureVerifier } from './certificate.ts';
import { compareVotesOfStep, encodeEvidence, isCanonicalOrder } from './messages.ts';
import { keyHex, sameBytes } from './peer-set.ts';
import { consensusTags, digestOfVote } from './signing.ts';
import { markVerified, type Certificate, type Evidence, type PeerSet, type Verified, type Vote } from './types.ts';

/**
 * Evidence: two votes one peer signed that an honest peer never signs together. Anyone may
 * submit it; the ledger records it and the offender loses good standing for good (standing.ts).
 *
 * - *Equivocation*: two different votes for one (type, height, round): two values, or one value
 *   with two proof-of-lock rounds. The sign guard (guard.ts) refuses the second, across restarts.
 * - *Lock violation* (amnesia), after the Tendermint accountability design: a precommit for
 *   block B in round r, and a prevote for a block B' ≠ B in a later round r' that cites a
 *   proof-of-lock round below r. An honest peer that precommits B in r locks B at a round ≥ r
 *   and keeps (the guard keeps) that lock for the height; it prevotes another block B' later
 *   only when it relocked B' at a round above r (it then cites that round) or when the proposal
 *   names a prevote quorum for B' in a round ≥ its lock round (it cites that round): either way
 *   it cites a round ≥ r (machine.ts, tryPrevote). A cited round ≥ r is not proof by itself: it
 *   claims a quorum of prevotes for B' there, which peers count only once they hold it
 *   (vote-book.ts), and whose prevoters the forensic exchange convicts in turn (forensics.ts).
 */

export type EvidenceKind = 'equivocation' | 'lock-violation';

/** Two different votes by one voter for one (type, height, round). */
export function equivocates(a: Vote, b: Vote): boolean {
  return sameBytes(a.voter, b.voter) && a.type === b.type && a.height === b.height && a.round === b.round && (!sameBytes(a.blockHash, b.blockHash) || a.polRound !== b.polRound);
}

/** A precommit for a block in round r, then a prevote for another block in a later round citing a round below r. */
export function violatesLock(precommit: Vote, prevote: Vote): boolean {
  return (
    sameBytes(precommit.voter, prevote.voter) &&
    precommit.height === prevote.height &&
    precommit.type === 'precommit' &&
    prevote.type === 'prevote' &&
    precommit.blockHash !== null &&
    prevote.blockHash !== null &&
    !sameBytes(precommit.blockHash, prevote.blockHash) &&
    precommit.round < prevote.round &&
    prevote.polRound < precommit.round
  );
}

/** True when two votes, in either order, are evidence. */
export function conflicts(a: Vote, b: Vote): boolean {
  return equivocates(a, b) || violatesLock(a, b) || violatesLock(b, a);
}

/** Evidence from two conflicting votes, in canonical order (messages.ts, isCanonicalOrder). */
export function makeEvidence(a: Vote, b: Vote): Evidence {
  assert.ok(conflicts(a, b), 'evidence: the votes do not conflict');
  if (equivocates(a, b)) return compareVotesOfStep(a, b) < 0 ? { first: a, second: b } : { first: b, second: a };
  return a.type === 'precommit' ? { first: a, second: b } : { first: b, second: a };
}

export function evidenceKind(evidence: Evidence): EvidenceKind {
  return evidence.first.type === evidence.second.type && evidence.first.round === evidence.second.round ? 'equivocation' : 'lock-violation';
}

export function evidenceOffender(evidence: Evidence): Uint8Array {
  return evidence.first.voter;
}

export function evidenceHeight(evidence: Evidence): number {
  return evidence.first.height;
}

/**
 * One key per offence: (voter, type, height, round) for an equivocation, (voter, height) for a
 * lock violation (one is enough to convict). BIP340 signatures are not unique, so two encodings
 * may prove the same offence; stores dedupe by this key.
 */
export function offenceKey(evidence: Evidence): string {
  const vote = evidence.first;
  return evidenceKind(evidence) === 'equivocation' ? `${keyHex(vote.voter)}:${vote.type}:${vote.height}:${vote.round}` : `${keyHex(vote.voter)}:lock:${vote.height}`;
}

/** A 32-byte identifier of one encoding of the evidence. */
export function evidenceId(evidence: Evidence): Uint8Array {
  return taggedHash(consensusTags.evidence, encodeEvidence(evidence));
}

/**
 * Checks evidence against the peer set of its height: an equivocation or a lock violation by
 * one voter in the set, in canonical order, both signatures valid.
 */
export function verifyEvidence(peerSet: PeerSet, evidence: Evidence, verifier: SignatureVerifier = bip340Verifier): Verified<Evidence> {
  const { first, second } = evidence;
  if (!equivocates(first, second) && !violatesLock(first, second)) {
    throw new AgentError('CONSENSUS_NOT_CONFLICTING', 'evidence: the two votes are neither two votes for one step nor a lock violation by one voter');
  }
  if (!isCanonicalOrder(first, second)) throw new AgentError('CONSENSUS_NON_CANONICAL', 'evidence: votes not in canonical order');
  if (!peerSet.indexByKey.has(keyHex(first.voter))) throw new AgentError('CONSENSUS_UNKNOWN_PEER', `evidence: ${keyHex(first.voter)} is not in the peer set of height ${first.height}`);
  for (const vote of [first, second]) {
    if (!verifier.verify(vote.signature, digestOfVote(peerSet.chainId, vote), vote.voter)) {
      throw new AgentError('CONSENSUS_BAD_SIGNATURE', 'evidence: a vote signature does not verify');
    }
  }
  return markVerified(evidence);
}

/**
 * Accountable safety: two certificates for different blocks at one height and round hold more
 * than 2/3 of the weight each, so peers holding more than 1/3 signed both; every such peer gets
 * evidence here. Certificates from different rounds yield nothing here: convicting those needs
 * the peers' prevotes (lock violations), which the forensic exchange of vote logs finds
 * (forensics.ts).
 */
export function evidenceFromCertificates(peerSet: PeerSet, a: Certificate, b: Certificate): Evidence[] {
  if (a.height !== b.height || a.round !== b.round || sameBytes(a.blockHash, b.blockHash)) return [];
  const signaturesOfB = new Map<number, Uint8Array>();
  b.signers.forEach((index, position) => signaturesOfB.set(index, b.signatures[position]!));
  const out: Evidence[] = [];
  a.signers.forEach((index, position) => {
    const other = signaturesOfB.get(index);
    const peer = peerSet.peers[index];
    if (other === undefined || peer === undefined) return;
    const vote = (certificate: Certificate, signature: Uint8Array): Vote => ({
      type: 'precommit',
      height: certificate.height,
      round: certificate.round,
      polRound: -1,
      blockHash: certificate.blockHash,
      voter: peer.publicKey,
      signature,
    });
    out.push(makeEvidence(vote(a, a.signatures[position]!), vote(b, other)));
  });
  return out;
}
