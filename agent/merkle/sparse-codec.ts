import { merkleHashBytes, sparseDepthMax, sparseProofBytesMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { expectHash, expectHashes } from './checks.ts';
import { isSparseEmptyHash, sparseEmptyHash } from './hash.ts';
import type { SparseProof } from './sparse-verify.ts';

/**
 * Wire encoding of a sparse proof, compressed with a bitmap of the non-empty siblings
 * (docs/PROTOCOL.md, "Merkle structures"):
 *
 *   offset   size       field
 *   0        1          terminal: 0x00 empty subtree, 0x01 a leaf
 *   1        2          d, the depth where the path ends, u16 big-endian (≤ 256)
 *   3        ⌈d/8⌉      bitmap: bit i (most significant bit of the first byte is i = 0) set
 *                       when the sibling at depth i + 1 is not empty; unused low bits are 0
 *   …        32·k       the k non-empty siblings, root's child first
 *   …        64         terminal 0x01 only: the leaf's key ‖ value hash
 *
 * Decoding is exact and canonical: one proof has one encoding, so a present sibling may not be
 * the empty hash, and the padding bits and the length must be right.
 */

const emptyTerminal = 0x00;
const leafTerminal = 0x01;

export function encodeSparseProof(proof: SparseProof): Uint8Array {
  const depth = proof.siblings.length;
  if (depth > sparseDepthMax) throw new AgentError('MERKLE_PROOF_LENGTH', `sparse proof: at most ${sparseDepthMax} siblings, got ${depth}`);
  expectHashes(proof.siblings, 'sparse proof siblings');
  const present = proof.siblings.filter((sibling) => !isSparseEmptyHash(sibling));
  const bitmapBytes = Math.ceil(depth / 8);
  const leafBytes = proof.leaf === null ? 0 : 2 * merkleHashBytes;
  const bytes = new Uint8Array(3 + bitmapBytes + present.length * merkleHashBytes + leafBytes);
  bytes[0] = proof.leaf === null ? emptyTerminal : leafTerminal;
  new DataView(bytes.buffer).setUint16(1, depth);
  for (const [index, sibling] of proof.siblings.entries()) {
    if (!isSparseEmptyHash(sibling)) bytes[3 + (index >>> 3)] = (bytes[3 + (index >>> 3)] ?? 0) | (0x80 >>> (index & 7));
  }
  let offset = 3 + bitmapBytes;
  for (const sibling of present) {
    bytes.set(sibling, offset);
    offset += merkleHashBytes;
  }
  if (proof.leaf !== null) {
    bytes.set(expectHash(proof.leaf.key, 'sparse proof leaf key'), offset);
    bytes.set(expectHash(proof.leaf.valueHash, 'sparse proof leaf value hash'), offset + merkleHashBytes);
  }
  return bytes;
}

export function decodeSparseProof(bytes: Uint8Array): SparseProof {
  const fail = (reason: string): never => {
    throw new AgentError('MERKLE_BAD_ENCODING', `sparse proof: ${reason}`);
  };
  if (bytes.length < 3 || bytes.length > sparseProofBytesMax) fail(`${bytes.length} bytes, expected 3 to ${sparseProofBytesMax}`);
  const terminal = bytes[0];
  if (terminal !== emptyTerminal && terminal !== leafTerminal) fail(`unknown terminal ${terminal}`);
  const depth = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(1);
  if (depth > sparseDepthMax) fail(`depth ${depth} is above ${sparseDepthMax}`);
  const bitmapBytes = Math.ceil(depth / 8);
  if (bytes.length < 3 + bitmapBytes) fail('bitmap cut short');
  const isPresent = (index: number): boolean => (((bytes[3 + (index >>> 3)] ?? 0) << (index & 7)) & 0x80) !== 0;
  let presentCount = 0;
  for (let index = 0; index < 8 * bitmapBytes; index++) {
    if (!isPresent(index)) continue;
    if (index >= depth) fail('a padding bit of the bitmap is set');
    presentCount++;
  }
  const leafBytes = terminal === leafTerminal ? 2 * merkleHashBytes : 0;
  const expected = 3 + bitmapBytes + presentCount * merkleHashBytes + leafBytes;
  if (bytes.length !== expected) fail(`expected ${expected} bytes, got ${bytes.length}`);
  const siblings: Uint8Array[] = [];
  let offset = 3 + bitmapBytes;
  for (let index = 0; index < depth; index++) {
    if (!isPresent(index)) {
      siblings.push(sparseEmptyHash.slice());
      continue;
    }
    const sibling = bytes.slice(offset, offset + merkleHashBytes);
    if (isSparseEmptyHash(sibling)) fail('a present sibling is the empty hash');
    siblings.push(sibling);
    offset += merkleHashBytes;
  }
  const leaf = terminal === leafTerminal ? { key: bytes.slice(offset, offset + merkleHashBytes), valueHash: bytes.slice(offset + merkleHashBytes, offset + 2 * merkleHashBytes) } : null;
  return { siblings, leaf };
}
