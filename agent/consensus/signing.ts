import { schnorrPublicKey, schnorrSign, schnorrVerify, taggedHash, type Rng } from '../../names/index.ts';
import { Writer } from './bytes.ts';
import type { Proposal, Vote, VoteType, VoteValue } from './types.ts';
import { voteTypes } from './types.ts';
import { vrfProve, vrfVerify } from './vrf.ts';

/**
 * What a peer signs, and the crypto the protocol uses, injected (STYLE 2): BIP340 signatures and
 * the secp256k1 VRF in the daemon; the simulator may swap in a fast stand-in for most seeds and
 * runs the real ones on the rest. Every signed digest is a BIP340 tagged hash that starts with
 * the chain id, so a signature is bound to one chain and one message kind.
 */

export const consensusTags = {
  vote: 'parley/consensus/vote',
  proposal: 'parley/consensus/proposal',
  beaconInput: 'parley/consensus/beacon-input',
  seed: 'parley/consensus/seed',
  genesisSeed: 'parley/consensus/genesis-seed',
  lottery: 'parley/consensus/lottery',
  evidence: 'parley/consensus/evidence',
} as const;

export interface SignatureScheme {
  /** A 64-byte signature over a 32-byte digest. */
  sign(digest: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** False for any bad signature, key or size; never throws. */
  verify(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean;
  publicKey(secretKey: Uint8Array): Uint8Array;
}

export interface BeaconScheme {
  /** The proposer's unique beacon proof for `input` (consensusBeaconProofBytes). */
  prove(secretKey: Uint8Array, input: Uint8Array): Uint8Array;
  /** The 32-byte beacon output when the proof verifies, else null; never throws. */
  verify(publicKey: Uint8Array, input: Uint8Array, proof: Uint8Array): Uint8Array | null;
}

export type ConsensusCrypto = {
  readonly signatures: SignatureScheme;
  readonly beacon: BeaconScheme;
  /** Whether peer keys must be secp256k1 x-only points (false only for simulated keys). */
  readonly curveKeys: boolean;
};

/** BIP340 signatures with fresh auxiliary randomness from `rng` (BIP340 "Default Signing"). */
export function bip340Signatures(rng: Rng): SignatureScheme {
  return {
    sign: (digest, secretKey) => schnorrSign(digest, secretKey, rng.bytes(32)),
    verify: (signature, digest, publicKey) => schnorrVerify(signature, digest, publicKey),
    publicKey: (secretKey) => schnorrPublicKey(secretKey),
  };
}

export const secp256k1Beacon: BeaconScheme = {
  prove: (secretKey, input) => vrfProve(secretKey, input),
  verify: (publicKey, input, proof) => vrfVerify(publicKey, input, proof),
};

/** The production crypto: BIP340 and the secp256k1 VRF. */
export function bip340Crypto(rng: Rng): ConsensusCrypto {
  return { signatures: bip340Signatures(rng), beacon: secp256k1Beacon, curveKeys: true };
}

export function voteTypeCode(type: VoteType): number {
  return voteTypes[type];
}

/**
 * The digest a vote's signature covers (docs/PROTOCOL.md "Consensus: what is signed"). A
 * prevote's bytes end with its proof-of-lock round, so the round it relies on is signed (the
 * Tendermint accountability design); a precommit's bytes do not (its round is always −1), so
 * certificates are unchanged by it.
 */
export function voteDigest(chainId: Uint8Array, type: VoteType, height: number, round: number, blockHash: VoteValue, polRound = -1): Uint8Array {
  const writer = new Writer()
    .bytes(chainId)
    .u8(voteTypeCode(type))
    .u64(height)
    .u32(round)
    .u8(blockHash === null ? 0 : 1)
    .bytes(blockHash ?? new Uint8Array(32));
  if (type === 'prevote') writer.i32(polRound);
  return taggedHash(consensusTags.vote, writer.finish());
}

export function digestOfVote(chainId: Uint8Array, vote: Omit<Vote, 'signature'>): Uint8Array {
  return voteDigest(chainId, vote.type, vote.height, vote.round, vote.blockHash, vote.polRound);
}

/** The digest a proposal's signature covers: it binds the block hash, valid round and beacon proof. */
export function proposalDigest(
  chainId: Uint8Array,
  proposal: Pick<Proposal, 'height' | 'round' | 'validRound' | 'beaconProof'>,
  blockHash: Uint8Array,
): Uint8Array {
  const body = new Writer()
    .bytes(chainId)
    .u64(proposal.height)
    .u32(proposal.round)
    .i32(proposal.validRound)
    .bytes(blockHash)
    .bytes(proposal.beaconProof)
    .finish();
  return taggedHash(consensusTags.proposal, body);
}
