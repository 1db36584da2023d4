import { AgentError } from '../errors.ts';
import { decodeLogInclusionProof, hashLogLeaf, verifyInclusion } from '../merkle/index.ts';
import { snapshotChunkBytesMax } from '../constants.ts';
import { decodeChunk } from './chunk-codec.ts';
import { markVerified, type SnapshotChunk, type SnapshotClaim, type Verified } from './types.ts';

/**
 * Checks one chunk as it arrives, against the claim the trustnet verified: its size, its RFC 9162
 * inclusion proof (leaf `index` of a tree of `chunkCount` leaves whose root is the state root;
 * RFC 9162 §2.1.3.2), then its encoding. Cheap (one leaf hash, ⌈log2 n⌉ node hashes, one
 * decode), so a bad chunk is caught before anything is written, and its source can be blamed.
 * Throws SNAPSHOT_CHUNK_MISMATCH (the bytes are not the attested chunk) or SNAPSHOT_BAD_CHUNK.
 */
export function verifyChunk(claim: Verified<SnapshotClaim>, index: number, bytes: Uint8Array, proofBytes: Uint8Array): Verified<SnapshotChunk> {
  const mismatch = (message: string): never => {
    throw new AgentError('SNAPSHOT_CHUNK_MISMATCH', `snapshot chunk ${index}: ${message}`);
  };
  if (!Number.isInteger(index) || index < 0 || index >= claim.chunkCount) mismatch(`not an index below the chunk count ${claim.chunkCount}`);
  if (!(bytes instanceof Uint8Array) || bytes.length > snapshotChunkBytesMax) mismatch(`expected at most ${snapshotChunkBytesMax} bytes`);
  if (!(proofBytes instanceof Uint8Array)) mismatch('proof: expected bytes');
  try {
    const proof = decodeLogInclusionProof(proofBytes);
    if (proof.leafIndex !== index || proof.treeSize !== claim.chunkCount) mismatch(`proof is for leaf ${proof.leafIndex} of ${proof.treeSize}`);
    verifyInclusion(index, claim.chunkCount, hashLogLeaf(bytes), proof.path, claim.stateRoot);
  } catch (error) {
    if (error instanceof AgentError && error.code.startsWith('MERKLE_')) mismatch(`${error.code}: ${error.message}`);
    throw error;
  }
  return markVerified(decodeChunk(bytes, index));
}
