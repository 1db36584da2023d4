import { AgentError, type AgentErrorCode } from './errors.ts';

/**
 * The byte writer and reader under every binary encoding of the agent (ledger transactions,
 * headers, blocks, parameters, events, snapshots; consensus messages, guard records, chain
 * frames). Fixed-width big-endian integers only, so every value has exactly one encoding; the
 * reader names the field it failed on, never reads past the end and throws AgentError with the
 * codes of the family it decodes for (ledger/tx-bytes.ts, consensus/bytes.ts).
 */

export class ByteWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  u8(value: number): this {
    return this.#push(Uint8Array.of(value));
  }

  u16(value: number): this {
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, value);
    return this.#push(out);
  }

  u32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return this.#push(out);
  }

  i32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, value);
    return this.#push(out);
  }

  u64(value: bigint | number): this {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value));
    return this.#push(out);
  }

  bytes(value: Uint8Array): this {
    return this.#push(value);
  }

  /** A one-byte length, then the bytes. */
  bytes8(value: Uint8Array): this {
    return this.u8(value.length).#push(value);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  #push(chunk: Uint8Array): this {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return this;
  }
}

/** The error codes a reader throws, per family of encodings. */
export type ByteReaderCodes<C extends AgentErrorCode> = { readonly truncated: C; readonly trailing: C; readonly tooLarge: C; readonly nonCanonical: C };

export class ByteReader<C extends AgentErrorCode> {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;
  readonly #codes: ByteReaderCodes<C>;
  #offset = 0;

  /** `what` names the encoding in errors: "transaction", "vote", ... */
  constructor(bytes: Uint8Array, what: string, codes: ByteReaderCodes<C>) {
    this.#codes = codes;
    this.#what = what;
    if (!(bytes instanceof Uint8Array)) this.fail(codes.truncated, 'expected bytes');
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  u8(field: string): number {
    this.#need(1, field);
    return this.#view.getUint8(this.#offset++);
  }

  u16(field: string): number {
    this.#need(2, field);
    const value = this.#view.getUint16(this.#offset);
    this.#offset += 2;
    return value;
  }

  u32(field: string): number {
    this.#need(4, field);
    const value = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return value;
  }

  i32(field: string): number {
    this.#need(4, field);
    const value = this.#view.getInt32(this.#offset);
    this.#offset += 4;
    return value;
  }

  u64(field: string): bigint {
    this.#need(8, field);
    const value = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    return value;
  }

  /** A u64 that must also be an exact JS number (heights, times, sizes), and at most `max`. */
  u64Number(field: string, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.u64(field);
    if (value > BigInt(max)) this.fail(this.#codes.tooLarge, `${field}: ${value} is above ${max === Number.MAX_SAFE_INTEGER ? '2^53 - 1' : max}`);
    return Number(value);
  }

  /** A copy, so decoded values never alias the caller's buffer. */
  bytes(length: number, field: string): Uint8Array {
    this.#need(length, field);
    const out = this.#bytes.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  /** A one-byte length (at most `lengthMax`), then the bytes. */
  bytes8(lengthMax: number, field: string): Uint8Array {
    const length = this.u8(`${field} length`);
    if (length > lengthMax) this.fail(this.#codes.tooLarge, `${field}: ${length} bytes, at most ${lengthMax}`);
    return this.bytes(length, field);
  }

  /** A count with an upper bound, read as one byte. */
  count8(countMax: number, field: string): number {
    const count = this.u8(field);
    if (count > countMax) this.fail(this.#codes.tooLarge, `${field}: ${count}, at most ${countMax}`);
    return count;
  }

  /** A boolean flag: exactly 0 or 1 (any other byte is a second encoding of "true"). */
  flag(field: string): boolean {
    const value = this.u8(field);
    if (value > 1) this.fail(this.#codes.nonCanonical, `${field}: flag byte ${value}, expected 0 or 1`);
    return value === 1;
  }

  /** Decoding ends here: anything left over is an error. */
  end(): void {
    if (this.remaining !== 0) this.fail(this.#codes.trailing, `${this.remaining} bytes after the end`);
  }

  fail(code: C, message: string): never {
    throw new AgentError(code, `${this.#what}: ${message}`);
  }

  #need(length: number, field: string): void {
    if (this.remaining < length) this.fail(this.#codes.truncated, `${field}: needs ${length} bytes at offset ${this.#offset}, ${this.remaining} left`);
  }
}
