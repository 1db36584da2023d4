import { timingSafeEqual } from 'node:crypto';
import { NamesError } from './errors.ts';

/** Checks that `value` is a Uint8Array of exactly `length` bytes; names the field in the error. */
export function expectBytes(value: unknown, length: number, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new NamesError('BAD_TYPE', `${field}: expected ${length} bytes, got ${describe(value)}`);
  }
  if (value.length !== length) {
    throw new NamesError('BAD_LENGTH', `${field}: expected ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Checks that `value` is a Uint8Array of at most `lengthMax` bytes. */
export function expectBytesAtMost(value: unknown, lengthMax: number, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new NamesError('BAD_TYPE', `${field}: expected at most ${lengthMax} bytes, got ${describe(value)}`);
  }
  if (value.length > lengthMax) {
    throw new NamesError('BAD_LENGTH', `${field}: expected at most ${lengthMax} bytes, got ${value.length}`);
  }
  return value;
}

/** Constant-time equality for secrets and MACs; unequal lengths compare false. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new NamesError('BAD_ENCODING', `hex: expected an even number of hex digits, got ${JSON.stringify(hex.slice(0, 16))}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Overwrites a secret in place once it is no longer needed. */
export function wipe(...secrets: Uint8Array[]): void {
  for (const secret of secrets) secret.fill(0);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
