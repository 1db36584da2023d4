import { randomBytes as nodeRandomBytes } from 'node:crypto';

/** Cryptographically secure random bytes from the operating system. */
export function randomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length));
}
