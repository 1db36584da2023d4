import { AgentError, type ConsensusErrorCode } from '../errors.ts';

/**
 * Byte writer and reader for consensus encodings: fixed-width big-endian integers only, so every
 * value has one encoding. The reader names the field it failed on and never reads past the end;
 * it throws AgentError with a CONSENSUS_* code (the decoders' only failure mode).
 */

export class Writer {
  #chunks: Uint8Array[] = [];
  #length = 0;

  u8(value: number): this {
    return this.bytes(Uint8Array.of(value));
  }

  u16(value: number): this {
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, value);
    return this.bytes(out);
  }

  u32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return this.bytes(out);
  }

  i32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, value);
    return this.bytes(out);
  }

  u64(value: number): this {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value));
    return this.bytes(out);
  }

  bytes(value: Uint8Array): this {
    this.#chunks.push(value);
    this.#length += value.length;
    return this;
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
}

export class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;
  #offset = 0;

  constructor(bytes: Uint8Array, what: string) {
    if (!(bytes instanceof Uint8Array)) throw new AgentError('CONSENSUS_TRUNCATED', `${what}: expected bytes`);
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#what = what;
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

  /** A u64 that must be at most `max` (an exact JS number). */
  u64(field: string, max = Number.MAX_SAFE_INTEGER): number {
    this.#need(8, field);
    const value = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    if (value > BigInt(max)) this.fail('CONSENSUS_TOO_LARGE', `${field}: ${value} is above ${max}`);
    return Number(value);
  }

  /** A copy, so decoded values never alias the caller's buffer. */
  bytes(length: number, field: string): Uint8Array {
    this.#need(length, field);
    const out = this.#bytes.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  end(): void {
    if (this.remaining !== 0) this.fail('CONSENSUS_TRAILING_BYTES', `${this.remaining} bytes after the last field`);
  }

  fail(code: ConsensusErrorCode, message: string): never {
    throw new AgentError(code, `${this.#what}: ${message}`);
  }

  #need(length: number, field: string): void {
    if (this.remaining < length) this.fail('CONSENSUS_TRUNCATED', `${field}: needs ${length} bytes, ${this.remaining} left`);
  }
}
