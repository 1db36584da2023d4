/**
 * Public API of agent/. Only pure modules are exported here (ledger types and light-client
 * verification), so the client can import it without pulling in SQLite or sockets; the
 * daemon's I/O shell is reached through agent/cli.ts.
 */
export * from './constants.ts';
export * from './errors.ts';
export * from './merkle/index.ts';

// Ledger (agent/ledger/): the pure parts only — types, encodings, hashes, rules, the
// state-transition function and the in-memory state. The SQLite store (store-*.ts) is I/O and
// is imported by the daemon directly.
export type * from './ledger/tx-types.ts';
export type * from './ledger/block-types.ts';
export type * from './ledger/state-types.ts';
export { encodeTransaction, decodeTransaction, encodeUnsignedTransaction } from './ledger/tx-codec.ts';
export { transactionHash, witnessHash, hashTransaction, signatureMessage, outputHash, encodeOutpoint, outpointId, ledgerHashTags, type HashedTransaction } from './ledger/tx-hash.ts';
export { signTransaction, verifyTransactionSignatures, distinctKeys } from './ledger/tx-sign.ts';
export { checkTransactionRules, type RuleOptions } from './ledger/tx-rules.ts';
export { globalNameProblem, agentNameProblem } from './ledger/tx-name.ts';
export * from './ledger/block-params.ts';
export { encodeHeader, decodeHeader, headerHash, encodeBlock, decodeBlock } from './ledger/block-codec.ts';
export { applyBlock, proposeBlock, type ApplyOptions, type ApplyResult, type ProposeResult } from './ledger/apply-block.ts';
export { encodeEvent, eventSubjects, keySubject, nameSubject, type LedgerEvent } from './ledger/apply-events.ts';
export { MemoryLedgerState, MemoryLedgerStore, apply, type MemoryTables } from './ledger/state-memory.ts';
export { isLiveAgent, captureStakeSnapshot, stakeSnapshotRoot, encodeStakeEntry } from './ledger/state-stake.ts';
export { memoryContents, contentsDigest, canonicalContents, type LedgerContents } from './ledger/state-contents.ts';

// Consensus (agent/consensus/): the pure API a wallet or the ledger needs — certificate and
// evidence verification, peer sets and thresholds, the proposer lottery, message codecs and
// proof-of-share standing. The driver (ConsensusNode) is reached through agent/consensus/index.ts.
export type { Certificate, ConsensusMessage, Decision, Evidence, Peer, PeerSet, Proposal, Status, Verified, Vote, VoteType, VoteValue } from './consensus/types.ts';
export type { BlockCandidate, BlockCheck, ChainTip, ChainView, CommitRecord, ConsensusApp, ProposeContext } from './consensus/app.ts';
export { bip340Verifier, signerWeight, verifyCertificate, verifyCertificateBeacon, type SignatureVerifier } from './consensus/certificate.ts';
export { conflicts, evidenceFromCertificates, evidenceOffender, makeEvidence, offenceKey, verifyEvidence } from './consensus/evidence.ts';
export { exceedsOneThird, isQuorum, makePeerSet, peerWeight } from './consensus/peer-set.ts';
export { beaconInput, genesisSeed, nextSeed, proposerOf } from './consensus/lottery.ts';
export { decodeCertificate, decodeEvidence, decodeMessage, encodeCertificate, encodeEvidence, encodeMessage } from './consensus/messages.ts';
export { voteDigest } from './consensus/signing.ts';
export {
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
} from './consensus/standing.ts';

// Snapshots (agent/snapshot/): trustnet attestations, chunk verification, the bootstrap state
// machine. Export from and import into the SQLite store (export.ts, import.ts) are I/O and are
// imported by the daemon directly. Its Verified brand is reached through agent/snapshot/index.ts.
export type { Attestation, SnapshotChunk, SnapshotClaim, SnapshotRecord, SnapshotRecordKind } from './snapshot/types.ts';
export {
  attestationSignatureValid,
  checkAuthorities,
  claimId,
  decodeAttestation,
  encodeAttestation,
  encodeAttestationMessage,
  signAttestation,
  TrustnetError,
  verifyAttestations,
  type TrustedSnapshot,
} from './snapshot/attestation.ts';
export { decodeChunk, verifyChunk, buildSnapshot, recordsFromContents, snapshotFromMemory, type SnapshotExport } from './snapshot/index.ts';
export {
  defaultBootstrapLimits,
  initialBootstrapState,
  stepBootstrap,
  type BootstrapConfig,
  type BootstrapEffect,
  type BootstrapEvent,
  type BootstrapLimits,
  type BootstrapResume,
  type BootstrapState,
} from './snapshot/index.ts';
