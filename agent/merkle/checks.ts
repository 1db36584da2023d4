import { equalBytes } from '../../names/index.ts';
import { logSizeMax, merkleHashBytes } from '../constants.ts';
import { AgentError } from '../errors.ts';

/**
 * Boundary checks and the integer arithmetic of log trees. Sizes can exceed 2^32, so the bit
 * operations of RFC 9162 (LSB, right shift) are written with % and / on exact JS integers.
 */

/** A 32-byte hash, or a typed error naming the field. */
export function expectHash(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== merkleHashBytes) {
    const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
    throw new AgentError('MERKLE_BAD_HASH', `${field}: expected ${merkleHashBytes} bytes, got ${got}`);
  }
  return value;
}

export function expectHashes(values: readonly Uint8Array[], field: string): void {
  for (const [index, value] of values.entries()) expectHash(value, `${field}[${index}]`);
}

/** A tree size or index: an exact integer in [0, logSizeMax]. */
export function expectSize(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > logSizeMax) {
    throw new AgentError('MERKLE_BAD_SIZE', `${field}: expected an integer in [0, ${logSizeMax}], got ${value}`);
  }
  return value;
}

export function expectProofLength(proof: readonly Uint8Array[], lengthMax: number, field: string): void {
  if (proof.length > lengthMax) {
    throw new AgentError('MERKLE_PROOF_LENGTH', `${field}: at most ${lengthMax} hashes, got ${proof.length}`);
  }
}

export function expectRoot(calculated: Uint8Array, expected: Uint8Array, what: string): void {
  if (!equalBytes(calculated, expected)) {
    throw new AgentError('MERKLE_ROOT_MISMATCH', `${what}: the proof does not lead to the expected root`);
  }
}

export function isOdd(value: number): boolean {
  return value % 2 === 1;
}

/** value >> 1 for integers up to 2^53. */
export function half(value: number): number {
  return Math.floor(value / 2);
}

/** The largest power of two strictly below `size` (RFC 9162 §2.1.1's k); requires size ≥ 2. */
export function splitPoint(size: number): number {
  let power = 1;
  while (power * 2 < size) power *= 2;
  return power;
}

/** The smallest power of two ≥ value; BIT_CEIL(0) = 1 (MTC draft §4.1). */
export function bitCeil(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}

/** [start, end) is a subtree: start ≤ end and start is a multiple of BIT_CEIL(end − start). */
export function isSubtree(start: number, end: number): boolean {
  return start <= end && start % bitCeil(end - start) === 0;
}
