import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AgentError, consensusErrorCodes } from '../../agent/index.ts';
import {
  decodeCertificate,
  decodeEvidence,
  decodeGuardRecord,
  decodeMessage,
  decodeProposal,
  decodeVote,
  encodeCertificate,
  encodeEvidence,
  encodeGuardRecord,
  encodeMessage,
  encodeProposal,
  encodeVote,
  makeEvidence,
  type Certificate,
  type ConsensusMessage,
  type GuardRecord,
  type Proposal,
  type Vote,
} from '../../agent/consensus/index.ts';
import { bytesToHex, hexToBytes } from '../../names/index.ts';

/** Golden bytes for every consensus message (docs/PROTOCOL.md "Consensus"), round trips, fuzzing. */

const fill = (byte: number, length: number): Uint8Array => new Uint8Array(length).fill(byte);
const hex = (byte: number, length: number): string => bytesToHex(fill(byte, length));

const goldenVote: Vote = { type: 'precommit', height: 258, round: 3, polRound: -1, blockHash: fill(0xbb, 32), voter: fill(0xcc, 32), signature: fill(0xdd, 64) };
const goldenVoteHex =
  '02' + // type: precommit
  '0000000000000102' + // height 258
  '00000003' + // round 3
  'ffffffff' + // proof-of-lock round −1 (always, for a precommit)
  '01' + // has value
  hex(0xbb, 32) +
  hex(0xcc, 32) +
  hex(0xdd, 64);

const goldenProposal: Proposal = { height: 7, round: 2, validRound: -1, proposer: fill(0x01, 32), beaconProof: fill(0x02, 81), block: Uint8Array.of(0xf0, 0x0d), signature: fill(0x03, 64) };
const goldenProposalHex = '0000000000000007' + '00000002' + 'ffffffff' + hex(0x01, 32) + hex(0x02, 81) + '00000002' + 'f00d' + hex(0x03, 64);

const goldenCertificate: Certificate = {
  height: 9,
  round: 0,
  blockHash: fill(0xaa, 32),
  peerCount: 10,
  signers: [0, 2, 9],
  signatures: [fill(0x10, 64), fill(0x12, 64), fill(0x19, 64)],
  beaconProof: fill(0x44, 81),
};
const goldenCertificateHex =
  '0000000000000009' + '00000000' + hex(0xaa, 32) + '000a' + // 10 peers
  'a040' + // bitmap: peers 0 and 2 (1010 0000), peer 9 (0100 0000); padding bits zero
  hex(0x10, 64) + hex(0x12, 64) + hex(0x19, 64) + hex(0x44, 81);

const nilVote: Vote = { ...goldenVote, type: 'prevote', blockHash: null };
const nilVoteHex = '01' + '0000000000000102' + '00000003' + 'ffffffff' + '00' + hex(0x00, 32) + hex(0xcc, 32) + hex(0xdd, 64);

/** A prevote for a block relying on the prevote quorum of round 1. */
const polVote: Vote = { ...goldenVote, type: 'prevote', round: 5, polRound: 1, blockHash: fill(0xee, 32) };
const polVoteHex = '01' + '0000000000000102' + '00000005' + '00000001' + '01' + hex(0xee, 32) + hex(0xcc, 32) + hex(0xdd, 64);

test('golden bytes: vote', () => {
  assert.equal(bytesToHex(encodeVote(goldenVote)), goldenVoteHex);
  assert.equal(bytesToHex(encodeVote(nilVote)), nilVoteHex);
  assert.equal(bytesToHex(encodeVote(polVote)), polVoteHex);
  assert.deepEqual(decodeVote(hexToBytes(goldenVoteHex)), goldenVote);
  assert.deepEqual(decodeVote(hexToBytes(polVoteHex)), polVote);
  assert.equal(encodeVote(goldenVote).length, 146);
});

test('golden bytes: proposal (valid round −1 is ffffffff)', () => {
  assert.equal(bytesToHex(encodeProposal(goldenProposal)), goldenProposalHex);
  assert.deepEqual(decodeProposal(hexToBytes(goldenProposalHex)), goldenProposal);
});

test('golden bytes: certificate (signer bitmap, most significant bit first)', () => {
  assert.equal(bytesToHex(encodeCertificate(goldenCertificate)), goldenCertificateHex);
  assert.deepEqual(decodeCertificate(hexToBytes(goldenCertificateHex)), goldenCertificate);
});

test('golden bytes: evidence (nil sorts first; a lock violation lists the precommit first) and the message envelope', () => {
  const evidence = makeEvidence(goldenVote, { ...goldenVote, blockHash: null });
  const evidenceHex = bytesToHex(encodeVote({ ...goldenVote, blockHash: null })) + goldenVoteHex;
  assert.equal(bytesToHex(encodeEvidence(evidence)), evidenceHex);
  // Precommit 0xbb… in round 3, then a prevote for 0xee… in round 5 citing round 1 (below 3).
  const lockViolation = makeEvidence(polVote, goldenVote);
  assert.equal(bytesToHex(encodeEvidence(lockViolation)), goldenVoteHex + polVoteHex);
  assert.deepEqual(decodeEvidence(hexToBytes(goldenVoteHex + polVoteHex)), lockViolation);
  const envelopes: [ConsensusMessage, string][] = [
    [{ kind: 'proposal', proposal: goldenProposal }, '0201' + goldenProposalHex],
    [{ kind: 'vote', vote: goldenVote }, '0202' + goldenVoteHex],
    [{ kind: 'decision', decision: { certificate: goldenCertificate, block: Uint8Array.of(0xf0, 0x0d) } }, '0203' + goldenCertificateHex + '00000002f00d'],
    [{ kind: 'evidence', evidence }, '0204' + evidenceHex],
    [{ kind: 'status', status: { height: 5, prevHash: fill(0x55, 32) } }, '0205' + '0000000000000005' + hex(0x55, 32)],
    [{ kind: 'vote-log', log: { height: 258, votes: [goldenVote, polVote] } }, '0206' + '0000000000000102' + '0002' + goldenVoteHex + polVoteHex],
  ];
  for (const [message, expected] of envelopes) {
    assert.equal(bytesToHex(encodeMessage(message)), expected, message.kind);
    assert.deepEqual(decodeMessage(hexToBytes(expected)), message, message.kind);
  }
});

test('golden bytes: sign-guard record', () => {
  const record: GuardRecord = { height: 4, round: 1, step: 'prevote', digest: fill(0x0d, 32), signature: fill(0x05, 64), lock: { height: 4, round: 0, blockHash: fill(0x0a, 32) }, votes: [goldenVote] };
  const expected = '02' + '0000000000000004' + '00000001' + '02' + hex(0x0d, 32) + hex(0x05, 64) + '01' + '0000000000000004' + '00000000' + hex(0x0a, 32) + '01' + goldenVoteHex;
  assert.equal(bytesToHex(encodeGuardRecord(record)), expected);
  assert.deepEqual(decodeGuardRecord(hexToBytes(expected)), record);
});

test('frozen: a version-1 sign-guard record (votes without a proof-of-lock round) still opens', () => {
  // Written by the code before votes carried polRound: its precommit is kept (its signed bytes
  // are unchanged), its prevote dropped (its signature covers bytes no peer checks any more).
  const precommitV1 = '02' + '0000000000000102' + '00000003' + '01' + hex(0xbb, 32) + hex(0xcc, 32) + hex(0xdd, 64);
  const prevoteV1 = '01' + '0000000000000102' + '00000004' + '00' + hex(0x00, 32) + hex(0xcc, 32) + hex(0xdd, 64);
  const v1 = '01' + '0000000000000004' + '00000001' + '02' + hex(0x0d, 32) + hex(0x05, 64) + '01' + '0000000000000004' + '00000000' + hex(0x0a, 32) + '02' + precommitV1 + prevoteV1;
  const record = decodeGuardRecord(hexToBytes(v1));
  assert.deepEqual(record, { height: 4, round: 1, step: 'prevote', digest: fill(0x0d, 32), signature: fill(0x05, 64), lock: { height: 4, round: 0, blockHash: fill(0x0a, 32) }, votes: [goldenVote] });
});

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const value = fc.option(bytes(32), { nil: null });
const voteArbitrary = fc
  .record({
    type: fc.constantFrom('prevote' as const, 'precommit' as const),
    height: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    round: fc.integer({ min: 0, max: 0x7fff_ffff }),
    blockHash: value,
    voter: bytes(32),
    signature: bytes(64),
  })
  .chain((vote) =>
    // Only a prevote for a block names a proof-of-lock round, and only an earlier one.
    (vote.type === 'prevote' && vote.blockHash !== null ? fc.integer({ min: -1, max: vote.round - 1 }) : fc.constant(-1)).map((polRound): Vote => ({ ...vote, polRound })),
  );
const proposalArbitrary = fc.integer({ min: 0, max: 0x7fff_ffff }).chain((round) =>
  fc.record({
    height: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    round: fc.constant(round),
    validRound: fc.integer({ min: -1, max: round - 1 }),
    proposer: bytes(32),
    beaconProof: bytes(81),
    block: fc.uint8Array({ maxLength: 300 }),
    signature: bytes(64),
  }),
);
const certificateArbitrary = fc.integer({ min: 1, max: 40 }).chain((peerCount) =>
  fc.uniqueArray(fc.integer({ min: 0, max: peerCount - 1 }), { minLength: 1, maxLength: peerCount }).chain((signers) =>
    fc.record({
      height: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      round: fc.integer({ min: 0, max: 0x7fff_ffff }),
      blockHash: bytes(32),
      peerCount: fc.constant(peerCount),
      signers: fc.constant([...signers].sort((a, b) => a - b)),
      signatures: fc.array(bytes(64), { minLength: signers.length, maxLength: signers.length }),
      beaconProof: bytes(81),
    }),
  ),
);

test('decode(encode(x)) = x for every message kind', () => {
  // structuredClone: fast-check builds objects without a prototype; compare plain copies.
  fc.assert(fc.property(voteArbitrary, (vote) => assert.deepEqual(decodeVote(encodeVote(vote)), structuredClone(vote))));
  fc.assert(fc.property(proposalArbitrary, (proposal) => assert.deepEqual(decodeProposal(encodeProposal(proposal)), structuredClone(proposal))));
  fc.assert(fc.property(certificateArbitrary, (certificate) => assert.deepEqual(decodeCertificate(encodeCertificate(certificate)), structuredClone(certificate))));
  fc.assert(
    fc.property(voteArbitrary, bytes(32), (vote, other) => {
      fc.pre(vote.blockHash === null || bytesToHex(vote.blockHash) !== bytesToHex(other));
      const evidence = structuredClone(makeEvidence(vote, { ...vote, blockHash: other }));
      assert.deepEqual(decodeEvidence(encodeEvidence(evidence)), evidence);
      assert.deepEqual(decodeMessage(encodeMessage({ kind: 'evidence', evidence })), { kind: 'evidence', evidence });
    }),
  );
});

const codes = new Set<string>(consensusErrorCodes);
const onlyTypedErrors = (decode: () => unknown): void => {
  try {
    decode();
  } catch (error) {
    assert.ok(error instanceof AgentError && codes.has(error.code), `untyped error: ${String(error)}`);
  }
};

test('fuzz: random bytes and mutated messages only ever give CONSENSUS_* errors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (random) => {
      onlyTypedErrors(() => decodeMessage(random));
      onlyTypedErrors(() => decodeMessage(Uint8Array.of(2, random[0] ?? 0, ...random.subarray(1))));
      onlyTypedErrors(() => decodeGuardRecord(random));
    }),
    { numRuns: 2000 },
  );
  const valid = [
    encodeMessage({ kind: 'vote', vote: goldenVote }),
    encodeMessage({ kind: 'proposal', proposal: goldenProposal }),
    encodeMessage({ kind: 'decision', decision: { certificate: goldenCertificate, block: Uint8Array.of(1) } }),
    encodeMessage({ kind: 'evidence', evidence: makeEvidence(polVote, goldenVote) }),
    encodeMessage({ kind: 'vote-log', log: { height: 258, votes: [goldenVote, polVote, nilVote] } }),
  ];
  fc.assert(
    fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(), (message, position, flip, cut) => {
      const mutated = message.slice();
      mutated[position % mutated.length]! ^= flip;
      onlyTypedErrors(() => decodeMessage(mutated));
      onlyTypedErrors(() => decodeMessage(message.subarray(0, cut % message.length)));
    }),
    { numRuns: 2000 },
  );
});

test('decoding rejects non-canonical forms', () => {
  const rejects = (bytesToDecode: Uint8Array, code: string): void => assert.throws(() => decodeMessage(bytesToDecode), (error) => error instanceof AgentError && error.code === code);
  const nilWithHash = hexToBytes('0202' + '01' + '0000000000000102' + '00000003' + 'ffffffff' + '00' + hex(0x01, 32) + hex(0xcc, 32) + hex(0xdd, 64));
  rejects(nilWithHash, 'CONSENSUS_NON_CANONICAL');
  rejects(hexToBytes('0202' + '03' + goldenVoteHex.slice(2)), 'CONSENSUS_UNKNOWN_KIND');
  rejects(hexToBytes('0102' + goldenVoteHex), 'CONSENSUS_UNKNOWN_VERSION');
  rejects(hexToBytes('0202' + goldenVoteHex + '00'), 'CONSENSUS_TRAILING_BYTES');
  rejects(hexToBytes('0202' + goldenVoteHex.slice(0, -2)), 'CONSENSUS_TRUNCATED');
  // Proof-of-lock rounds: none on a precommit or a nil prevote, and a prevote's only below its round.
  rejects(hexToBytes('0202' + goldenVoteHex.replace('00000003ffffffff', '0000000300000000')), 'CONSENSUS_BAD_ROUND');
  rejects(hexToBytes('0202' + nilVoteHex.replace('00000003ffffffff', '0000000300000001')), 'CONSENSUS_BAD_ROUND');
  rejects(hexToBytes('0202' + polVoteHex.replace('0000000500000001', '0000000500000005')), 'CONSENSUS_BAD_ROUND');
  rejects(hexToBytes('0202' + polVoteHex.replace('0000000500000001', '00000005fffffffe')), 'CONSENSUS_BAD_ROUND');
  // Padding bit set in the signer bitmap (peer 10 of 10).
  const padded = '0203' + goldenCertificateHex.replace('000aa040', '000aa060');
  rejects(hexToBytes(padded + '00000000'), 'CONSENSUS_NON_CANONICAL');
  // Valid round not below round.
  rejects(hexToBytes('0201' + goldenProposalHex.replace('00000002ffffffff', '0000000200000002')), 'CONSENSUS_BAD_ROUND');
  // Evidence with the votes out of value order, and a lock violation with the prevote first.
  const evidenceSwapped = '0204' + goldenVoteHex + bytesToHex(encodeVote({ ...goldenVote, blockHash: null }));
  rejects(hexToBytes(evidenceSwapped), 'CONSENSUS_NON_CANONICAL');
  rejects(hexToBytes('0204' + polVoteHex + goldenVoteHex), 'CONSENSUS_NON_CANONICAL');
  // Vote logs: at least one vote, every vote of the log's height.
  rejects(hexToBytes('0206' + '0000000000000102' + '0000'), 'CONSENSUS_TOO_LARGE');
  rejects(hexToBytes('0206' + '0000000000000103' + '0001' + goldenVoteHex), 'CONSENSUS_NON_CANONICAL');
});
