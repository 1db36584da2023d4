import {
  consensusBeaconProofBytes,
  consensusBlockBytesMax,
  consensusHashBytes,
  consensusHeightMax,
  consensusKeyBytes,
  consensusMessageVersion,
  consensusPeersMax,
  consensusRoundMax,
  consensusSignatureBytes,
  consensusVoteLogVotesMax,
} from '../constants.ts';
import { Reader, Writer } from './bytes.ts';
import { compareBytes } from './peer-set.ts';
import type { Certificate, ConsensusMessage, Decision, Evidence, Proposal, Status, Vote, VoteLog, VoteValue } from './types.ts';

/**
 * Canonical byte layouts of the consensus messages (docs/PROTOCOL.md "Consensus"). Decoding
 * accepts exactly what encoding writes, so decode(encode(x)) = x and encode(decode(b)) = b;
 * anything else is an AgentError with a CONSENSUS_* code, never another exception.
 */

export const messageKinds = { proposal: 1, vote: 2, decision: 3, evidence: 4, status: 5, 'vote-log': 6 } as const;

// ── votes ───────────────────────────────────────────────────────────────────

function writeVote(writer: Writer, vote: Vote): Writer {
  return writer
    .u8(vote.type === 'prevote' ? 1 : 2)
    .u64(vote.height)
    .u32(vote.round)
    .i32(vote.polRound)
    .u8(vote.blockHash === null ? 0 : 1)
    .bytes(vote.blockHash ?? new Uint8Array(consensusHashBytes))
    .bytes(vote.voter)
    .bytes(vote.signature);
}

function readRound(reader: Reader, field: string): number {
  const round = reader.u32(field);
  if (round > consensusRoundMax) reader.fail('CONSENSUS_TOO_LARGE', `${field}: ${round} is above ${consensusRoundMax}`);
  return round;
}

function readVote(reader: Reader): Vote {
  const typeCode = reader.u8('vote type');
  if (typeCode !== 1 && typeCode !== 2) reader.fail('CONSENSUS_UNKNOWN_KIND', `vote type ${typeCode}`);
  const height = reader.u64Number('height', consensusHeightMax);
  const round = readRound(reader, 'round');
  const polRound = reader.i32('proof-of-lock round');
  const flag = reader.u8('value flag');
  if (flag > 1) reader.fail('CONSENSUS_NON_CANONICAL', `value flag ${flag}`);
  const hash = reader.bytes(consensusHashBytes, 'block hash');
  if (flag === 0 && hash.some((byte) => byte !== 0)) reader.fail('CONSENSUS_NON_CANONICAL', 'a nil vote carries a block hash');
  // Only a prevote for a block relies on a proof of lock, and only on an earlier round.
  if (typeCode === 1 && flag === 1 ? polRound < -1 || polRound >= round : polRound !== -1) {
    reader.fail('CONSENSUS_BAD_ROUND', `proof-of-lock round ${polRound} of a ${typeCode === 1 ? 'prevote' : 'precommit'} in round ${round}${flag === 0 ? ' for nil' : ''}`);
  }
  const voter = reader.bytes(consensusKeyBytes, 'voter');
  const signature = reader.bytes(consensusSignatureBytes, 'signature');
  return { type: typeCode === 1 ? 'prevote' : 'precommit', height, round, polRound, blockHash: flag === 0 ? null : hash, voter, signature };
}

export function encodeVote(vote: Vote): Uint8Array {
  return writeVote(new Writer(), vote).finish();
}

export function decodeVote(bytes: Uint8Array): Vote {
  const reader = new Reader(bytes, 'vote');
  const vote = readVote(reader);
  reader.end();
  return vote;
}

// ── proposals ───────────────────────────────────────────────────────────────

function writeProposal(writer: Writer, proposal: Proposal): Writer {
  return writer
    .u64(proposal.height)
    .u32(proposal.round)
    .i32(proposal.validRound)
    .bytes(proposal.proposer)
    .bytes(proposal.beaconProof)
    .u32(proposal.block.length)
    .bytes(proposal.block)
    .bytes(proposal.signature);
}

function readBlock(reader: Reader): Uint8Array {
  const length = reader.u32('block length');
  if (length > consensusBlockBytesMax) reader.fail('CONSENSUS_TOO_LARGE', `block: ${length} bytes, at most ${consensusBlockBytesMax}`);
  return reader.bytes(length, 'block');
}

function readProposal(reader: Reader): Proposal {
  const height = reader.u64Number('height', consensusHeightMax);
  const round = readRound(reader, 'round');
  const validRound = reader.i32('valid round');
  if (validRound < -1 || validRound >= round) reader.fail('CONSENSUS_BAD_ROUND', `valid round ${validRound} is not in −1..${round - 1}`);
  const proposer = reader.bytes(consensusKeyBytes, 'proposer');
  const beaconProof = reader.bytes(consensusBeaconProofBytes, 'beacon proof');
  const block = readBlock(reader);
  const signature = reader.bytes(consensusSignatureBytes, 'signature');
  return { height, round, validRound, proposer, beaconProof, block, signature };
}

export function encodeProposal(proposal: Proposal): Uint8Array {
  return writeProposal(new Writer(), proposal).finish();
}

export function decodeProposal(bytes: Uint8Array): Proposal {
  const reader = new Reader(bytes, 'proposal');
  const proposal = readProposal(reader);
  reader.end();
  return proposal;
}

// ── certificates ────────────────────────────────────────────────────────────

function writeCertificate(writer: Writer, certificate: Certificate): Writer {
  const bitmap = new Uint8Array(Math.ceil(certificate.peerCount / 8));
  // Bit i (most significant first within each byte) set ⇔ peer i signed.
  for (const index of certificate.signers) bitmap[index >> 3]! |= 0x80 >> (index & 7);
  writer.u64(certificate.height).u32(certificate.round).bytes(certificate.blockHash).u16(certificate.peerCount).bytes(bitmap);
  for (const signature of certificate.signatures) writer.bytes(signature);
  return writer.bytes(certificate.beaconProof);
}

function readCertificate(reader: Reader): Certificate {
  const height = reader.u64Number('height', consensusHeightMax);
  const round = readRound(reader, 'round');
  const blockHash = reader.bytes(consensusHashBytes, 'block hash');
  const peerCount = reader.u16('peer count');
  if (peerCount === 0 || peerCount > consensusPeersMax) reader.fail('CONSENSUS_TOO_LARGE', `peer count ${peerCount} is not in 1..${consensusPeersMax}`);
  const bitmap = reader.bytes(Math.ceil(peerCount / 8), 'signer bitmap');
  const signers: number[] = [];
  for (let index = 0; index < bitmap.length * 8; index++) {
    if ((bitmap[index >> 3]! & (0x80 >> (index & 7))) === 0) continue;
    if (index >= peerCount) reader.fail('CONSENSUS_NON_CANONICAL', 'signer bitmap: padding bits set');
    signers.push(index);
  }
  if (signers.length === 0) reader.fail('CONSENSUS_NON_CANONICAL', 'signer bitmap: no signer');
  const signatures = signers.map((_, position) => reader.bytes(consensusSignatureBytes, `signature ${position}`));
  const beaconProof = reader.bytes(consensusBeaconProofBytes, 'beacon proof');
  return { height, round, blockHash, peerCount, signers, signatures, beaconProof };
}

export function encodeCertificate(certificate: Certificate): Uint8Array {
  return writeCertificate(new Writer(), certificate).finish();
}

export function decodeCertificate(bytes: Uint8Array): Certificate {
  const reader = new Reader(bytes, 'certificate');
  const certificate = readCertificate(reader);
  reader.end();
  return certificate;
}

// ── evidence ────────────────────────────────────────────────────────────────

/** Orders vote values: nil first, then block hashes bytewise. Evidence lists the lower value first. */
export function compareValues(a: VoteValue, b: VoteValue): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  return compareBytes(a, b);
}

/** Orders two votes of one step: by value, then by proof-of-lock round. */
export function compareVotesOfStep(a: Vote, b: Vote): number {
  return compareValues(a.blockHash, b.blockHash) || a.polRound - b.polRound;
}

/**
 * The order evidence lists its votes in, so one pair of votes has one encoding (signatures
 * aside): two votes of one (type, round) by value then proof-of-lock round; otherwise the
 * precommit of the lower round first, then the prevote (a lock violation).
 */
export function isCanonicalOrder(first: Vote, second: Vote): boolean {
  if (first.type === second.type && first.round === second.round) return compareVotesOfStep(first, second) < 0;
  return first.type === 'precommit' && second.type === 'prevote' && first.round < second.round;
}

export function encodeEvidence(evidence: Evidence): Uint8Array {
  return writeVote(writeVote(new Writer(), evidence.first), evidence.second).finish();
}

function readEvidence(reader: Reader): Evidence {
  const first = readVote(reader);
  const second = readVote(reader);
  if (!isCanonicalOrder(first, second)) reader.fail('CONSENSUS_NON_CANONICAL', 'evidence: votes not in canonical order');
  return { first, second };
}

// ── vote logs (forensics) ───────────────────────────────────────────────────

function writeVoteLog(writer: Writer, log: VoteLog): Writer {
  writer.u64(log.height).u16(log.votes.length);
  for (const vote of log.votes) writeVote(writer, vote);
  return writer;
}

function readVoteLog(reader: Reader): VoteLog {
  const height = reader.u64Number('height', consensusHeightMax);
  const count = reader.u16('vote count');
  if (count === 0 || count > consensusVoteLogVotesMax) reader.fail('CONSENSUS_TOO_LARGE', `vote log: ${count} votes, expected 1..${consensusVoteLogVotesMax}`);
  const votes: Vote[] = [];
  for (let index = 0; index < count; index++) {
    const vote = readVote(reader);
    if (vote.height !== height) reader.fail('CONSENSUS_NON_CANONICAL', `vote log of height ${height}: vote ${index} is of height ${vote.height}`);
    votes.push(vote);
  }
  return { height, votes };
}

export function decodeEvidence(bytes: Uint8Array): Evidence {
  const reader = new Reader(bytes, 'evidence');
  const evidence = readEvidence(reader);
  reader.end();
  return evidence;
}

// ── the envelope ────────────────────────────────────────────────────────────

/** version (1) ‖ kind (1) ‖ body. */
export function encodeMessage(message: ConsensusMessage): Uint8Array {
  const writer = new Writer().u8(consensusMessageVersion).u8(messageKinds[message.kind]);
  switch (message.kind) {
    case 'proposal':
      return writeProposal(writer, message.proposal).finish();
    case 'vote':
      return writeVote(writer, message.vote).finish();
    case 'decision':
      return writeCertificate(writer, message.decision.certificate).u32(message.decision.block.length).bytes(message.decision.block).finish();
    case 'evidence':
      return writeVote(writeVote(writer, message.evidence.first), message.evidence.second).finish();
    case 'status':
      return writer.u64(message.status.height).bytes(message.status.prevHash).finish();
    case 'vote-log':
      return writeVoteLog(writer, message.log).finish();
  }
}

export function decodeMessage(bytes: Uint8Array): ConsensusMessage {
  const reader = new Reader(bytes, 'consensus message');
  const version = reader.u8('version');
  if (version !== consensusMessageVersion) reader.fail('CONSENSUS_UNKNOWN_VERSION', `version ${version}`);
  const kind = reader.u8('kind');
  let message: ConsensusMessage;
  switch (kind) {
    case messageKinds.proposal:
      message = { kind: 'proposal', proposal: readProposal(reader) };
      break;
    case messageKinds.vote:
      message = { kind: 'vote', vote: readVote(reader) };
      break;
    case messageKinds.decision: {
      const certificate = readCertificate(reader);
      const decision: Decision = { certificate, block: readBlock(reader) };
      message = { kind: 'decision', decision };
      break;
    }
    case messageKinds.evidence:
      message = { kind: 'evidence', evidence: readEvidence(reader) };
      break;
    case messageKinds.status: {
      const status: Status = { height: reader.u64Number('height', consensusHeightMax), prevHash: reader.bytes(consensusHashBytes, 'previous hash') };
      message = { kind: 'status', status };
      break;
    }
    case messageKinds['vote-log']:
      message = { kind: 'vote-log', log: readVoteLog(reader) };
      break;
    default:
      return reader.fail('CONSENSUS_UNKNOWN_KIND', `kind ${kind}`);
  }
  reader.end();
  return message;
}
