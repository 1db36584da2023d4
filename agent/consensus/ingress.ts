import { consensusEvidenceAgeMaxHeights } from '../constants.ts';
import { ParleyError } from '../../names/index.ts';
import type { ChainView, BlockCandidate } from './app.ts';
import { verifyCertificate, verifyCertificateBeacon } from './certificate.ts';
import { evidenceFromCertificates, verifyEvidence } from './evidence.ts';
import { beaconInput, proposerOf } from './lottery.ts';
import type { ConsensusEvent, ConsensusState } from './machine.ts';
import { keyHex, sameBytes } from './peer-set.ts';
import { digestOfVote, proposalDigest, type ConsensusCrypto } from './signing.ts';
import { markVerified, type Certificate, type ConsensusMessage, type Evidence, type Proposal, type Status, type Verified, type Vote, type VoteLog } from './types.ts';

/**
 * The boundary: every message from the network is checked here, once, before the state machine
 * sees it (STYLE 7). Signatures against the peer set of the message's height, the proposer
 * against the lottery, its beacon proof, the block against the application. Nothing here
 * throws on bad input: the result says what to do, and a dropped message carries its reason.
 */

export type Ingress =
  | { readonly kind: 'event'; readonly event: ConsensusEvent }
  /** For the next height: hold it until we get there. */
  | { readonly kind: 'future' }
  /** The sender lags at `height`, or finalized another block there: answer with our decision for it. */
  | { readonly kind: 'answer'; readonly height: number; readonly event?: ConsensusEvent }
  | { readonly kind: 'evidence'; readonly evidence: Verified<Evidence> }
  /** Two certificates for different blocks at one height: safety is broken (≥ 1/3 Byzantine). */
  | { readonly kind: 'fork'; readonly height: number; readonly ours: Verified<Certificate>; readonly theirs: Verified<Certificate>; readonly evidence: Verified<Evidence>[] }
  /** A peer's votes of a height (forensics after a fork): those that verified, and how many did not. */
  | { readonly kind: 'vote-log'; readonly height: number; readonly votes: Verified<Vote>[]; readonly rejected: number }
  | { readonly kind: 'drop'; readonly reason: string };

export type IngressDependencies = {
  readonly crypto: ConsensusCrypto;
  readonly app: BlockCandidate & ChainView;
};

function drop(reason: string): Ingress {
  return { kind: 'drop', reason };
}

/** The reason of an expected failure; anything else is a bug and crashes (STYLE 6). */
function errorReason(error: unknown): string {
  if (!(error instanceof ParleyError)) throw error;
  return `${error.code}: ${error.message}`;
}

export function admit(state: ConsensusState, message: ConsensusMessage, dependencies: IngressDependencies): Ingress {
  switch (message.kind) {
    case 'vote':
      return admitVote(state, message.vote, dependencies);
    case 'proposal':
      return admitProposal(state, message.proposal, dependencies);
    case 'decision':
      return admitDecision(state, message.decision.block, message.decision.certificate, dependencies);
    case 'evidence':
      return admitEvidence(state, message.evidence, dependencies);
    case 'status':
      return admitStatus(state, message.status, dependencies);
    case 'vote-log':
      return admitVoteLog(state, message.log, dependencies);
  }
}

/** True when the book already holds this exact vote: a gossip repeat, not worth a signature check. */
export function isKnownVote(state: ConsensusState, vote: Vote): boolean {
  const book = vote.height === state.height ? state.votes : vote.height === state.height - 1 ? state.previousVotes : null;
  return book?.has(vote) ?? false;
}

function admitStatus(state: ConsensusState, status: Status, { app }: IngressDependencies): Ingress {
  // Do we agree on the block before the sender's height? If not, show ours: the sender finds
  // the fork (and we find it when it shows us its own in turn).
  const previous = status.height - 1;
  if (previous >= 1 && previous < state.height) {
    const ours = app.decision(previous);
    if (ours !== null && !sameBytes(ours.blockHash, status.prevHash)) return { kind: 'answer', height: previous };
  }
  if (status.height < state.height) return { kind: 'answer', height: status.height };
  return drop('status: nothing to answer');
}

function admitVote(state: ConsensusState, vote: Vote, { crypto }: IngressDependencies): Ingress {
  if (vote.height === state.height + 1) return { kind: 'future' };
  if (vote.height > state.height + 1) return drop(`vote: height ${vote.height} is ahead of ${state.height} by more than one`);
  const book = vote.height === state.height ? state.votes : vote.height === state.height - 1 ? state.previousVotes : null;
  if (book === null) return { kind: 'answer', height: vote.height };
  if (!book.peerSet.indexByKey.has(keyHex(vote.voter))) return drop(`vote: ${keyHex(vote.voter)} is not in the peer set of height ${vote.height}`);
  if (isKnownVote(state, vote)) return drop('vote: known');
  if (!crypto.signatures.verify(vote.signature, digestOfVote(state.chainId, vote), vote.voter)) return drop('vote: bad signature');
  const event: ConsensusEvent = { kind: 'vote', vote: markVerified(vote) };
  // A vote of the previous height still counts for evidence, and says its sender lags.
  return vote.height === state.height ? { kind: 'event', event } : { kind: 'answer', height: vote.height, event };
}

function admitProposal(state: ConsensusState, proposal: Proposal, { crypto, app }: IngressDependencies): Ingress {
  if (proposal.height === state.height + 1) return { kind: 'future' };
  if (proposal.height < state.height) return { kind: 'answer', height: proposal.height };
  if (proposal.height !== state.height) return drop(`proposal: height ${proposal.height} is ahead of ${state.height} by more than one`);
  const proposer = proposerOf(state.peerSet, state.seed, proposal.height, proposal.round);
  if (!sameBytes(proposer.publicKey, proposal.proposer)) return drop(`proposal: ${keyHex(proposal.proposer)} is not the proposer of round ${proposal.round}`);
  // Cheapest first: the hash, the signature, the beacon, and only then the application's rules.
  const blockHash = app.hash(proposal.block);
  if (blockHash === null) return drop('proposal: not a block');
  if (!crypto.signatures.verify(proposal.signature, proposalDigest(state.chainId, proposal, blockHash), proposal.proposer)) return drop('proposal: bad signature');
  const beaconOutput = crypto.beacon.verify(proposal.proposer, beaconInput(state.chainId, proposal.height, state.seed), proposal.beaconProof);
  if (beaconOutput === null) return drop('proposal: bad beacon proof');
  const valid = app.validate(proposal.height, state.prevHash, proposal.block).ok;
  const entry = { proposal: markVerified(proposal), blockHash, valid, beaconOutput };
  return { kind: 'event', event: { kind: 'proposal', entry } };
}

function admitDecision(state: ConsensusState, block: Uint8Array, certificate: Certificate, dependencies: IngressDependencies): Ingress {
  const { crypto, app } = dependencies;
  if (certificate.height > state.height) return certificate.height === state.height + 1 ? { kind: 'future' } : drop('decision: ahead by more than one');
  if (certificate.height < state.height || state.decided !== null) return checkFork(state, certificate, dependencies);
  try {
    const verified = verifyCertificate(state.peerSet, state.height, certificate.blockHash, certificate, crypto.signatures);
    const beaconOutput = verifyCertificateBeacon(state.peerSet, state.seed, certificate, crypto.beacon);
    const blockHash = app.hash(block);
    if (blockHash === null || !sameBytes(blockHash, certificate.blockHash)) return drop('decision: the block is not the certified one');
    const check = app.validate(state.height, state.prevHash, block);
    // A quorum certified a block our application rejects: more than 1/3 is faulty (or we are).
    if (!check.ok) return drop(`decision: certified block at ${state.height} is invalid here (${errorReason(check.error)})`);
    return { kind: 'event', event: { kind: 'decision', block, blockHash, certificate: verified, beaconOutput } };
  } catch (error) {
    return drop(`decision: ${errorReason(error)}`);
  }
}

/** A decision for a height we already decided: the same block, or a fork with its evidence. */
function checkFork(state: ConsensusState, certificate: Certificate, { crypto, app }: IngressDependencies): Ingress {
  const ours = state.decided !== null && certificate.height === state.height ? { certificate: state.decided.certificate, blockHash: state.decided.blockHash } : app.decision(certificate.height);
  if (ours === null) return drop(`decision: height ${certificate.height} is not in our store`);
  if (sameBytes(ours.blockHash, certificate.blockHash)) return drop('decision: known');
  const peerSet = app.peerSet(certificate.height);
  // Either way we show our block of the height below: a fork is found down to where it began.
  const below = { kind: 'answer', height: certificate.height - 1 } as const;
  if (peerSet === null) return certificate.height > 1 ? below : drop(`decision: no peer set for height ${certificate.height}`);
  try {
    const theirs = verifyCertificate(peerSet, certificate.height, certificate.blockHash, certificate, crypto.signatures);
    const evidence = evidenceFromCertificates(peerSet, ours.certificate, theirs).map((item) => verifyEvidence(peerSet, item, crypto.signatures));
    // Ours was checked when we decided; forensics.ts reads its precommits as votes.
    return { kind: 'fork', height: certificate.height, ours: markVerified(ours.certificate), theirs, evidence };
  } catch (error) {
    // Past the first divergent height the peer sets may differ too; keep walking down.
    return certificate.height > 1 ? below : drop(`decision: conflicting certificate does not verify (${errorReason(error)})`);
  }
}

function admitEvidence(state: ConsensusState, evidence: Evidence, { crypto, app }: IngressDependencies): Ingress {
  const height = evidence.first.height;
  if (height > state.height) return drop(`evidence: height ${height} is ahead of us`);
  if (height + consensusEvidenceAgeMaxHeights < state.height) return drop(`evidence: height ${height} is too old`);
  const peerSet = height === state.height ? state.peerSet : app.peerSet(height);
  if (peerSet === null) return drop(`evidence: no peer set for height ${height}`);
  try {
    return { kind: 'evidence', evidence: verifyEvidence(peerSet, evidence, crypto.signatures) };
  } catch (error) {
    return drop(`evidence: ${errorReason(error)}`);
  }
}

/**
 * A vote log (forensics.ts). The driver passes only logs of a height where it saw a fork, so
 * their cost (a signature check per vote, at most consensusVoteLogVotesMax per message) is paid
 * only once safety is already broken. A vote that does not verify is left out and counted.
 */
function admitVoteLog(state: ConsensusState, log: VoteLog, { crypto, app }: IngressDependencies): Ingress {
  const peerSet = log.height === state.height ? state.peerSet : app.peerSet(log.height);
  if (peerSet === null) return drop(`vote log: no peer set for height ${log.height}`);
  const votes: Verified<Vote>[] = [];
  let rejected = 0;
  for (const vote of log.votes) {
    const member = peerSet.indexByKey.has(keyHex(vote.voter));
    if (member && crypto.signatures.verify(vote.signature, digestOfVote(state.chainId, vote), vote.voter)) votes.push(markVerified(vote));
    else rejected++;
  }
  return { kind: 'vote-log', height: log.height, votes, rejected };
}
