import assert from 'node:assert/strict';
import { schnorrVerify } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { beaconInput, proposerOf } from './lottery.ts';
import { isQuorum, keyHex, sameBytes } from './peer-set.ts';
import { voteDigest, type BeaconScheme, type SignatureScheme } from './signing.ts';
import { markVerified, type Certificate, type PeerSet, type Verified, type Vote } from './types.ts';

/**
 * Commit certificates: the proof that a block is final. A wallet that knows the peer set of a
 * height checks one with `verifyCertificate` and nothing else: more than 2/3 of the weight
 * signed a precommit for exactly (chain, height, round, block hash). A function that returns has
 * verified; every failure is an AgentError.
 */

export type SignatureVerifier = Pick<SignatureScheme, 'verify'>;

export const bip340Verifier: SignatureVerifier = { verify: schnorrVerify };

/**
 * Builds a certificate from verified precommits for (height, round, blockHash), one per voter,
 * and the beacon proof of the round's proposal. The caller has checked that they make a quorum.
 */
export function buildCertificate(
  peerSet: PeerSet,
  height: number,
  round: number,
  blockHash: Uint8Array,
  precommits: Iterable<Verified<Vote>>,
  beaconProof: Uint8Array,
): Certificate {
  const byIndex = new Map<number, Uint8Array>();
  for (const vote of precommits) {
    assert.ok(vote.type === 'precommit' && vote.height === height && vote.round === round && sameBytes(vote.blockHash, blockHash), 'certificate: a precommit for another value');
    const index = peerSet.indexByKey.get(keyHex(vote.voter));
    assert.ok(index !== undefined, 'certificate: a verified vote from outside the peer set');
    byIndex.set(index, vote.signature);
  }
  const signers = [...byIndex.keys()].sort((a, b) => a - b);
  return {
    height,
    round,
    blockHash: blockHash.slice(),
    peerCount: peerSet.peers.length,
    signers,
    signatures: signers.map((index) => byIndex.get(index)!),
    beaconProof: beaconProof.slice(),
  };
}

/** The weight of a certificate's signers (no signature checks). */
export function signerWeight(peerSet: PeerSet, certificate: Certificate): bigint {
  let weight = 0n;
  for (const index of certificate.signers) weight += peerSet.peers[index]?.weight ?? 0n;
  return weight;
}

/**
 * Checks a certificate for `blockHash` at `height` against the peer set of that height:
 * right height and block, a bitmap sized for this peer set, every signature a valid precommit
 * signature of its peer, and the signers' weight a quorum (> 2/3; exactly 2/3 is not).
 */
export function verifyCertificate(
  peerSet: PeerSet,
  height: number,
  blockHash: Uint8Array,
  certificate: Certificate,
  verifier: SignatureVerifier = bip340Verifier,
): Verified<Certificate> {
  if (certificate.height !== height) throw new AgentError('CONSENSUS_WRONG_HEIGHT', `certificate: for height ${certificate.height}, expected ${height}`);
  if (!sameBytes(certificate.blockHash, blockHash)) throw new AgentError('CONSENSUS_WRONG_BLOCK', `certificate: for another block at height ${height}`);
  if (certificate.peerCount !== peerSet.peers.length) {
    throw new AgentError('CONSENSUS_PEER_COUNT_MISMATCH', `certificate: bitmap for ${certificate.peerCount} peers, the set has ${peerSet.peers.length}`);
  }
  if (certificate.signatures.length !== certificate.signers.length) {
    throw new AgentError('CONSENSUS_NON_CANONICAL', `certificate: ${certificate.signers.length} signers but ${certificate.signatures.length} signatures`);
  }
  const digest = voteDigest(peerSet.chainId, 'precommit', height, certificate.round, blockHash);
  let previous = -1;
  let weight = 0n;
  certificate.signers.forEach((index, position) => {
    if (!Number.isInteger(index) || index <= previous || index >= peerSet.peers.length) {
      throw new AgentError('CONSENSUS_NON_CANONICAL', `certificate: signer ${index} out of order or range`);
    }
    previous = index;
    const peer = peerSet.peers[index]!;
    if (!verifier.verify(certificate.signatures[position]!, digest, peer.publicKey)) {
      throw new AgentError('CONSENSUS_BAD_SIGNATURE', `certificate: signature of peer ${index} (${keyHex(peer.publicKey)}) does not verify`);
    }
    weight += peer.weight;
  });
  if (!isQuorum(weight, peerSet.totalWeight)) {
    throw new AgentError('CONSENSUS_NO_QUORUM', `certificate: signers hold ${weight} of ${peerSet.totalWeight}, need more than 2/3`);
  }
  return markVerified(certificate);
}

/**
 * Checks the beacon proof a certificate carries against the proposer the lottery drew for
 * (height, certificate.round) from `seed` (the seed of that height) and returns the beacon
 * output, which gives the next height's seed (lottery.ts). Peers that follow the chain do this;
 * a wallet checking finality does not need to.
 */
export function verifyCertificateBeacon(peerSet: PeerSet, seed: Uint8Array, certificate: Certificate, beacon: Pick<BeaconScheme, 'verify'>): Uint8Array {
  const proposer = proposerOf(peerSet, seed, certificate.height, certificate.round);
  const output = beacon.verify(proposer.publicKey, beaconInput(peerSet.chainId, certificate.height, seed), certificate.beaconProof);
  if (output === null) throw new AgentError('CONSENSUS_BAD_BEACON', `certificate: beacon proof does not verify for the proposer of round ${certificate.round}`);
  return output;
}
