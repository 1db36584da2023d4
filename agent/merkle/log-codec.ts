import { logProofHashesMax, logSizeMax, merkleHashBytes } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { expectHashes, expectProofLength, expectSize } from './checks.ts';
import type { LogConsistencyProof, LogInclusionProof } from './log.ts';

/**
 * Wire encodings of log proofs (docs/PROTOCOL.md, "Merkle structures"). Both have one layout:
 *
 *   offset  size  field
 *   0       8     first number, u64 big-endian   (leafIndex | size1)
 *   8       8     second number, u64 big-endian  (treeSize  | size2)
 *   16      1     n, the number of hashes (≤ logProofHashesMax)
 *   17      32·n  the hashes, lowest node first (RFC 9162 order)
 *
 * Decoding is exact: numbers above 2^53 − 1, a count above the limit or any byte too many or
 * too few is MERKLE_BAD_ENCODING. Whether the numbers make sense together is the verifier's job.
 */

const headerBytes = 17;

function encode(first: number, second: number, path: readonly Uint8Array[], names: readonly [string, string]): Uint8Array {
  expectSize(first, names[0]);
  expectSize(second, names[1]);
  expectProofLength(path, logProofHashesMax, 'proof');
  expectHashes(path, 'proof');
  const bytes = new Uint8Array(headerBytes + path.length * merkleHashBytes);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(first));
  view.setBigUint64(8, BigInt(second));
  view.setUint8(16, path.length);
  for (const [index, hash] of path.entries()) bytes.set(hash, headerBytes + index * merkleHashBytes);
  return bytes;
}

function decode(bytes: Uint8Array, what: string): { first: number; second: number; path: Uint8Array[] } {
  if (bytes.length < headerBytes) throw new AgentError('MERKLE_BAD_ENCODING', `${what}: ${bytes.length} bytes, at least ${headerBytes} needed`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.getBigUint64(0);
  const second = view.getBigUint64(8);
  const count = view.getUint8(16);
  if (first > BigInt(logSizeMax) || second > BigInt(logSizeMax)) {
    throw new AgentError('MERKLE_BAD_ENCODING', `${what}: a size above ${logSizeMax}`);
  }
  if (count > logProofHashesMax) throw new AgentError('MERKLE_BAD_ENCODING', `${what}: ${count} hashes, at most ${logProofHashesMax}`);
  if (bytes.length !== headerBytes + count * merkleHashBytes) {
    throw new AgentError('MERKLE_BAD_ENCODING', `${what}: ${count} hashes need ${headerBytes + count * merkleHashBytes} bytes, got ${bytes.length}`);
  }
  const path: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const offset = headerBytes + index * merkleHashBytes;
    path.push(bytes.slice(offset, offset + merkleHashBytes));
  }
  return { first: Number(first), second: Number(second), path };
}

export function encodeLogInclusionProof(proof: LogInclusionProof): Uint8Array {
  return encode(proof.leafIndex, proof.treeSize, proof.path, ['leafIndex', 'treeSize']);
}

export function decodeLogInclusionProof(bytes: Uint8Array): LogInclusionProof {
  const { first, second, path } = decode(bytes, 'log inclusion proof');
  return { leafIndex: first, treeSize: second, path };
}

export function encodeLogConsistencyProof(proof: LogConsistencyProof): Uint8Array {
  return encode(proof.size1, proof.size2, proof.path, ['size1', 'size2']);
}

export function decodeLogConsistencyProof(bytes: Uint8Array): LogConsistencyProof {
  const { first, second, path } = decode(bytes, 'log consistency proof');
  return { size1: first, size2: second, path };
}
