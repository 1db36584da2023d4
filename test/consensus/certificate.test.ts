import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schnorrSign } from '../../names/index.ts';
import {
  buildCertificate,
  decodeCertificate,
  encodeCertificate,
  evidenceFromCertificates,
  genesisSeed,
  markVerified,
  proposerOf,
  beaconInput,
  signerWeight,
  verifyCertificate,
  verifyCertificateBeacon,
  verifyEvidence,
  voteDigest,
  vrfProve,
  vrfVerify as vrfVerifyReal,
  type Certificate,
  type PeerSet,
  type Verified,
  type Vote,
} from '../../agent/consensus/index.ts';
import { verifyCertificate as verifyFromAgentIndex } from '../../agent/index.ts';
import { chainId, fixture, hasCode, hash } from './helpers.ts';

/** Commit certificates with real BIP340 signatures: what a wallet checks to trust a block. */

function precommit(peerSet: PeerSet, secret: Uint8Array, key: Uint8Array, height: number, round: number, blockHash: Uint8Array): Verified<Vote> {
  const signature = schnorrSign(voteDigest(peerSet.chainId, 'precommit', height, round, blockHash), secret, new Uint8Array(32));
  return markVerified({ type: 'precommit', height, round, polRound: -1, blockHash, voter: key, signature });
}

function certificateBy(indexes: number[], options: { weights?: bigint[]; round?: number; blockHash?: Uint8Array } = {}) {
  const f = fixture(options.weights ?? [1n, 1n, 1n, 1n]);
  const round = options.round ?? 0;
  const blockHash = options.blockHash ?? hash('A');
  const votes = indexes.map((index) => precommit(f.peerSet, f.secretsInOrder[index]!, f.keys[index]!, 5, round, blockHash));
  const seed = genesisSeed(chainId);
  const proposer = f.peerSet.indexByKey.get(Buffer.from(proposerOf(f.peerSet, seed, 5, round).publicKey).toString('hex'))!;
  const beaconProof = vrfProve(f.secretsInOrder[proposer]!, beaconInput(chainId, 5, seed));
  return { f, seed, certificate: buildCertificate(f.peerSet, 5, round, blockHash, votes, beaconProof) };
}

test('a certificate from 3 of 4 equal peers verifies, survives encoding, and is exported from agent/index.ts', () => {
  const { f, certificate } = certificateBy([0, 1, 3]);
  assert.deepEqual(certificate.signers, [0, 1, 3]);
  assert.equal(signerWeight(f.peerSet, certificate), 3n);
  const decoded = decodeCertificate(encodeCertificate(certificate));
  verifyCertificate(f.peerSet, 5, hash('A'), decoded);
  verifyFromAgentIndex(f.peerSet, 5, hash('A'), decoded);
  assert.equal(encodeCertificate(certificate).length, 8 + 4 + 32 + 2 + 1 + 3 * 64 + 81);
});

test('exactly 2/3 of the weight is not enough; more is', () => {
  // Weights 2, 2, 1, 1 (total 6): the two heavy peers hold exactly 4/6.
  const weights = [2n, 2n, 1n, 1n];
  const f = fixture(weights);
  const heavy = [0, 1, 2, 3].filter((index) => f.peerSet.peers[index]!.weight === 2n);
  const light = [0, 1, 2, 3].filter((index) => f.peerSet.peers[index]!.weight === 1n);
  const twoThirds = certificateBy(heavy, { weights }).certificate;
  assert.throws(() => verifyCertificate(f.peerSet, 5, hash('A'), twoThirds), hasCode('CONSENSUS_NO_QUORUM'));
  const more = certificateBy([...heavy, light[0]!], { weights }).certificate;
  verifyCertificate(f.peerSet, 5, hash('A'), more);
});

test('tampered certificates are rejected, each with its code', () => {
  const { f, certificate } = certificateBy([0, 1, 2]);
  const check = (tampered: Certificate, code: string, height = 5, blockHash = hash('A')): void =>
    assert.throws(() => verifyCertificate(f.peerSet, height, blockHash, tampered), hasCode(code), code);
  const flipped = certificate.signatures.map((signature, index) => (index === 1 ? Uint8Array.from(signature, (byte, at) => (at === 10 ? byte ^ 1 : byte)) : signature));
  check({ ...certificate, signatures: flipped }, 'CONSENSUS_BAD_SIGNATURE');
  check(certificate, 'CONSENSUS_WRONG_BLOCK', 5, hash('B'));
  check(certificate, 'CONSENSUS_WRONG_HEIGHT', 6);
  check({ ...certificate, round: 1 }, 'CONSENSUS_BAD_SIGNATURE'); // signatures are for round 0
  check({ ...certificate, signers: [0, 1, 3] }, 'CONSENSUS_BAD_SIGNATURE'); // signature moved to another peer
  check({ ...certificate, peerCount: 5 }, 'CONSENSUS_PEER_COUNT_MISMATCH');
  check({ ...certificate, signers: [0, 1] , signatures: certificate.signatures.slice(0, 2) }, 'CONSENSUS_NO_QUORUM');
  check({ ...certificate, signers: [1, 0, 2], signatures: [certificate.signatures[1]!, certificate.signatures[0]!, certificate.signatures[2]!] }, 'CONSENSUS_NON_CANONICAL');
  check({ ...certificate, signers: [0, 0, 1, 2], signatures: [certificate.signatures[0]!, ...certificate.signatures] }, 'CONSENSUS_NON_CANONICAL');
  // Another chain's peer set (same keys, other chain id) does not accept it.
  const otherChain = { ...f.peerSet, chainId: hash('other chain') };
  assert.throws(() => verifyCertificate(otherChain, 5, hash('A'), certificate), hasCode('CONSENSUS_BAD_SIGNATURE'));
});

test('the beacon proof in a certificate verifies for the drawn proposer only', () => {
  const { f, seed, certificate } = certificateBy([0, 1, 2]);
  const output = verifyCertificateBeacon(f.peerSet, seed, certificate, { verify: vrfVerifyReal });
  assert.equal(output.length, 32);
  const forged = { ...certificate, beaconProof: certificate.beaconProof.map((byte, at) => (at === 50 ? byte ^ 1 : byte)) };
  assert.throws(() => verifyCertificateBeacon(f.peerSet, seed, forged, { verify: vrfVerifyReal }), hasCode('CONSENSUS_BAD_BEACON'));
  assert.throws(() => verifyCertificateBeacon(f.peerSet, hash('another seed'), certificate, { verify: vrfVerifyReal }), hasCode('CONSENSUS_BAD_BEACON'));
});

test('two certificates for different blocks in one round convict every peer in both (> 1/3)', () => {
  const a = certificateBy([0, 1, 2], { blockHash: hash('A') });
  const f = a.f;
  const votesB = [1, 2, 3].map((index) => precommit(f.peerSet, f.secretsInOrder[index]!, f.keys[index]!, 5, 0, hash('B')));
  const b = buildCertificate(f.peerSet, 5, 0, hash('B'), votesB, a.certificate.beaconProof);
  const evidence = evidenceFromCertificates(f.peerSet, a.certificate, b);
  assert.equal(evidence.length, 2, 'peers 1 and 2 signed both');
  for (const item of evidence) verifyEvidence(f.peerSet, item);
  // Different rounds: certificates alone convict nobody (that needs the prevotes).
  const c = certificateBy([1, 2, 3], { blockHash: hash('B'), round: 1 }).certificate;
  assert.deepEqual(evidenceFromCertificates(f.peerSet, a.certificate, c), []);
});
