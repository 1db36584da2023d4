/**
 * Public API of agent/consensus/: proof-of-share BFT consensus (Tendermint-shaped), pure except
 * for the driver's injected world. Wallets need only verifyCertificate and the peer-set helpers.
 */
export type { BlockCandidate, BlockCheck, ChainTip, ChainView, CommitRecord, ConsensusApp, ProposeContext } from './app.ts';
export { bip340Verifier, buildCertificate, signerWeight, verifyCertificate, verifyCertificateBeacon, type SignatureVerifier } from './certificate.ts';
export {
  conflicts,
  equivocates,
  evidenceFromCertificates,
  evidenceHeight,
  evidenceId,
  evidenceKind,
  evidenceOffender,
  makeEvidence,
  offenceKey,
  verifyEvidence,
  violatesLock,
  type EvidenceKind,
} from './evidence.ts';
export { ForensicPool, votesOfCertificate, type PoolAddResult } from './forensics.ts';
export {
  decodeGuardRecord,
  encodeGuardRecord,
  guardCheck,
  GuardedSigner,
  MemoryGuardStore,
  type GuardDecision,
  type GuardLock,
  type GuardRecord,
  type GuardStore,
  type Signed,
  type SignStep,
} from './guard.ts';
export { admit, isKnownVote, type Ingress, type IngressDependencies } from './ingress.ts';
export { beaconInput, genesisSeed, lotteryDraw, nextSeed, proposerIndex, proposerOf } from './lottery.ts';
export {
  initialState,
  start,
  step,
  type ConsensusEffect,
  type ConsensusEvent,
  type ConsensusState,
  type InitialStateOptions,
  type ProposalEntry,
  type Step,
  type Timeout,
} from './machine.ts';
export {
  compareValues,
  compareVotesOfStep,
  decodeCertificate,
  decodeEvidence,
  decodeMessage,
  decodeProposal,
  decodeVote,
  encodeCertificate,
  encodeEvidence,
  encodeMessage,
  encodeProposal,
  encodeVote,
  isCanonicalOrder,
  messageKinds,
} from './messages.ts';
export { ConsensusNode, type ConsensusTransport, type ForkReport, type NodeObserver, type NodeOptions } from './node.ts';
export { checkConsensusParams, defaultConsensusParams, devnetConsensusParams, timeoutMs, type ConsensusParams, type TimeoutStep } from './params.ts';
export { compareBytes, exceedsOneThird, isQuorum, keyHex, makePeerSet, peerIndex, peerWeight, sameBytes, weightOf } from './peer-set.ts';
export {
  bip340Crypto,
  bip340Signatures,
  consensusTags,
  digestOfVote,
  proposalDigest,
  secp256k1Beacon,
  voteDigest,
  type BeaconScheme,
  type ConsensusCrypto,
  type SignatureScheme,
} from './signing.ts';
export {
  checkStandingParams,
  defaultStandingParams,
  devnetStandingParams,
  eligiblePeers,
  emptyStanding,
  peerSetFor,
  recordCertificate,
  recordEvidence,
  snapshotHeight,
  type StandingParams,
  type StandingState,
} from './standing.ts';
export { markVerified, voteTypes } from './types.ts';
export type { Certificate, ConsensusMessage, Decision, Evidence, Peer, PeerSet, Proposal, Status, Verified, Vote, VoteLog, VoteType, VoteValue } from './types.ts';
export { VoteBook } from './vote-book.ts';
export { vrfOutput, vrfProve, vrfVerify } from './vrf.ts';
export { defaultMempoolLimits, Mempool, type AddResult as MempoolAddResult, type AdmissionCheck, type Admitted, type MempoolLimits } from './mempool.ts';
