import assert from 'node:assert/strict';
import { taggedHash } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { bip340Verifier, type SignatureVerifier } from './certificate.ts';
import { compareValues, encodeEvidence } from './messages.ts';
import { keyHex, sameBytes } from './peer-set.ts';
import { consensusTags, digestOfVote } from './signing.ts';
import { markVerified, type Certificate, type Evidence, type PeerSet, type Verified, type Vote } from './types.ts';

/**
 * Evidence of equivocation: two votes signed by one peer for the same (type, height, round)
 * with different values (a block and another block, or a block and nil). An honest peer never
 * produces it: its sign guard (guard.ts) refuses the second signature, across restarts. Anyone
 * may submit evidence; the ledger records it and the offender loses good standing (standing.ts).
 */

/** True when two votes are evidence: one voter, one (type, height, round), two values. */
export function conflicts(a: Vote, b: Vote): boolean {
  return sameBytes(a.voter, b.voter) && a.type === b.type && a.height === b.height && a.round === b.round && !sameBytes(a.blockHash, b.blockHash);
}

/** Evidence from two conflicting votes, in canonical order (lower value first). */
export function makeEvidence(a: Vote, b: Vote): Evidence {
  assert.ok(conflicts(a, b), 'evidence: the votes do not conflict');
  return compareValues(a.blockHash, b.blockHash) < 0 ? { first: a, second: b } : { first: b, second: a };
}

export function evidenceOffender(evidence: Evidence): Uint8Array {
  return evidence.first.voter;
}

export function evidenceHeight(evidence: Evidence): number {
  return evidence.first.height;
}

/**
 * One key per offence (voter, type, height, round): BIP340 signatures are not unique, so two
 * encodings may prove the same offence; stores dedupe by this key.
 */
export function offenceKey(evidence: Evidence): string {
  const vote = evidence.first;
  return `${keyHex(vote.voter)}:${vote.type}:${vote.height}:${vote.round}`;
}

/** A 32-byte identifier of one encoding of the evidence. */
export function evidenceId(evidence: Evidence): Uint8Array {
  return taggedHash(consensusTags.evidence, encodeEvidence(evidence));
}

/**
 * Checks evidence against the peer set of its height: canonical order, one voter in the set,
 * same (type, height, round), different values, both signatures valid.
 */
export function verifyEvidence(peerSet: PeerSet, evidence: Evidence, verifier: SignatureVerifier = bip340Verifier): Verified<Evidence> {
  const { first, second } = evidence;
  if (!conflicts(first, second)) throw new AgentError('CONSENSUS_NOT_CONFLICTING', 'evidence: the two votes are not for one step with two values by one voter');
  if (compareValues(first.blockHash, second.blockHash) >= 0) throw new AgentError('CONSENSUS_NON_CANONICAL', 'evidence: votes not in value order');
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
 * the peers' prevotes (the lock rule), see docs/DECISIONS.md "Consensus: evidence".
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
      blockHash: certificate.blockHash,
      voter: peer.publicKey,
      signature,
    });
    out.push(makeEvidence(vote(a, a.signatures[position]!), vote(b, other)));
  });
  return out;
}
