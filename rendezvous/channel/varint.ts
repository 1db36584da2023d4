/**
 * QUIC variable-length integers (RFC 9000 §16): the two high bits of the first byte give
 * the length (1, 2, 4 or 8 bytes), the rest is the value, big-endian. Values here stay at
 * or below 2^53 − 1 so they are exact JavaScript numbers; a larger 8-byte value is a
 * decoding error (CHANNEL_BAD_VARINT), never a silent rounding.
 */
export const VARINT_MAX = Number.MAX_SAFE_INTEGER;

export function varintSize(value: number): 1 | 2 | 4 | 8 {
  if (value < 0x40) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x4000_0000) return 4;
  return 8;
}

/** Writes `value` at `offset`; returns the offset after it. The caller checked the room. */
export function writeVarint(bytes: Uint8Array, offset: number, value: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`varint: ${value} is not an integer in [0, 2^53)`);
  if (value < 0x40) {
    bytes[offset] = value;
    return offset + 1;
  }
  if (value < 0x4000) {
    bytes[offset] = 0x40 | (value >>> 8);
    bytes[offset + 1] = value & 0xff;
    return offset + 2;
  }
  if (value < 0x4000_0000) {
    bytes[offset] = 0x80 | (value >>> 24);
    bytes[offset + 1] = (value >>> 16) & 0xff;
    bytes[offset + 2] = (value >>> 8) & 0xff;
    bytes[offset + 3] = value & 0xff;
    return offset + 4;
  }
  const high = Math.floor(value / 2 ** 32);
  const low = value >>> 0;
  bytes[offset] = 0xc0 | (high >>> 24);
  bytes[offset + 1] = (high >>> 16) & 0xff;
  bytes[offset + 2] = (high >>> 8) & 0xff;
  bytes[offset + 3] = high & 0xff;
  bytes[offset + 4] = low >>> 24;
  bytes[offset + 5] = (low >>> 16) & 0xff;
  bytes[offset + 6] = (low >>> 8) & 0xff;
  bytes[offset + 7] = low & 0xff;
  return offset + 8;
}

/**
 * A cursor over received bytes. Reads never throw: the first failure is kept in `error`
 * and every later read returns 0, so a decoder checks once per frame.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  offset: number;
  error: 'CHANNEL_TRUNCATED_FRAME' | 'CHANNEL_BAD_VARINT' | undefined;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    if (this.error !== undefined) return 0;
    if (this.offset >= this.bytes.length) return this.#fail('CHANNEL_TRUNCATED_FRAME');
    return this.bytes[this.offset++]!;
  }

  varint(): number {
    if (this.error !== undefined) return 0;
    const bytes = this.bytes;
    const at = this.offset;
    if (at >= bytes.length) return this.#fail('CHANNEL_TRUNCATED_FRAME');
    const first = bytes[at]!;
    const length = 1 << (first >>> 6);
    if (at + length > bytes.length) return this.#fail('CHANNEL_TRUNCATED_FRAME');
    this.offset = at + length;
    let value = first & 0x3f;
    if (length === 8) {
      // value = high * 2^32 + low; high must stay under 2^21 for the result to be exact
      const high = ((value << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
      const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
      if (high >= 2 ** 21) return this.#fail('CHANNEL_BAD_VARINT');
      return high * 2 ** 32 + low;
    }
    for (let index = 1; index < length; index++) value = value * 256 + bytes[at + index]!;
    return value;
  }

  /** A view of the next `length` bytes (no copy). */
  take(length: number): Uint8Array {
    if (this.error !== undefined) return EMPTY;
    if (length > this.remaining) {
      this.#fail('CHANNEL_TRUNCATED_FRAME');
      return EMPTY;
    }
    const view = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  #fail(code: 'CHANNEL_TRUNCATED_FRAME' | 'CHANNEL_BAD_VARINT'): number {
    this.error = code;
    return 0;
  }
}

const EMPTY = new Uint8Array(0);
