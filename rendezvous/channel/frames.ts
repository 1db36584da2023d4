import type { ChannelErrorCode } from '../errors.ts';
import { ByteReader, varintSize, writeVarint } from './varint.ts';

/**
 * Frames of the reliable channel (docs/PROTOCOL.md "Reliable channel"). A channel datagram —
 * the plaintext of one session transport packet — is one or more frames back to back; each
 * starts with a type byte, integers are QUIC varints (RFC 9000 §16):
 *
 *   0x01 PING      (no body; asks for an ACK — the window probe)
 *   0x02 ACK       cumulative · ackDelayMicros · windowLimit · rangeCount · (gap, length)*
 *   0x08–0x0f DATA seq · [messageLength if FIRST] · [payloadLength if LENGTH] · payload
 *                  type bits: 0x04 FIRST, 0x02 LENGTH, 0x01 LAST
 *   0x30/0x31 DATAGRAM [payloadLength if 0x31] · payload   (unreliable, as RFC 9221)
 *
 * Without a LENGTH bit a DATA or DATAGRAM frame runs to the end of the datagram.
 * ACK ranges ascend from `cumulative` (every seq below it was received; it itself was not):
 * range i starts at previousEnd + gap + 1 and ends (exclusive) length + 1 later, where
 * previousEnd starts as `cumulative`. Every encoding of gaps and lengths is thus a valid
 * range list, and ranges never touch.
 */
export const FRAME_PING = 0x01;
export const FRAME_ACK = 0x02;
export const FRAME_DATA = 0x08;
export const DATA_LAST = 0x01;
export const DATA_LENGTH = 0x02;
export const DATA_FIRST = 0x04;
export const FRAME_DATAGRAM = 0x30;
export const DATAGRAM_LENGTH = 0x01;

/** Half-open range [start, end) of fragment sequence numbers. */
export interface SeqRange {
  start: number;
  end: number;
}

export interface PingFrame {
  type: 'ping';
}

export interface AckFrame {
  type: 'ack';
  /** Every seq below this was received; this one was not. */
  cumulative: number;
  /** Time the receiver held the ACK since its largest fragment arrived (RFC 9002 §5.3). */
  ackDelayMicros: number;
  /** The receiver accepts fragments with seq below this (absolute, never shrinks). */
  windowLimit: number;
  /** Received ranges above `cumulative`, ascending, not touching. */
  ranges: SeqRange[];
}

export interface DataFrame {
  type: 'data';
  seq: number;
  /** Present on the first fragment of a message: the whole message's length. */
  messageLength: number | undefined;
  last: boolean;
  payload: Uint8Array;
}

export interface DatagramFrame {
  type: 'datagram';
  payload: Uint8Array;
}

export type Frame = PingFrame | AckFrame | DataFrame | DatagramFrame;

export interface FrameLimits {
  messageBytesMax: number;
  ackRangesMax: number;
}

export type FrameDecodeResult = { ok: true; frames: Frame[] } | { ok: false; code: ChannelErrorCode; message: string };

/** Largest DATA header: type, 8-byte seq, 4-byte message length, 2-byte payload length. */
export const DATA_HEADER_BYTES_MAX = 1 + 8 + 4 + 2;

export function dataFrameSize(seq: number, messageLength: number | undefined, payloadLength: number): number {
  return 1 + varintSize(seq) + (messageLength === undefined ? 0 : varintSize(messageLength)) + varintSize(payloadLength) + payloadLength;
}

export function datagramFrameSize(payloadLength: number): number {
  return 1 + varintSize(payloadLength) + payloadLength;
}

/**
 * Datagrams are cut from 64 KiB slabs: one allocation per ~60 datagrams instead of one each
 * (a typed-array allocation per datagram was 5% of the sender's time on loopback). A finished
 * datagram is never written again; the slab is freed when its last datagram is.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

function reserve(capacity: number): Uint8Array {
  if (capacity > SLAB_BYTES) return new Uint8Array(capacity);
  if (slabUsed + capacity > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  return slab.subarray(slabUsed, slabUsed + capacity);
}

/** Writes frames into one datagram of at most `capacity` bytes; one writer at a time. */
export class FrameWriter {
  readonly #buffer: Uint8Array;
  #offset = 0;

  constructor(capacity: number) {
    this.#buffer = reserve(capacity);
  }

  get length(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#buffer.length - this.#offset;
  }

  ping(): void {
    this.#room(1);
    this.#buffer[this.#offset++] = FRAME_PING;
  }

  /**
   * Writes an ACK in at most `bytesMax` bytes, keeping as many of the lowest ranges as fit
   * (the ones next to `cumulative` tell the sender what to retransmit first).
   * Returns the number of ranges written.
   */
  ack(frame: Omit<AckFrame, 'type'>, bytesMax: number, rangesMax: number): number {
    let size = 1 + varintSize(frame.cumulative) + varintSize(frame.ackDelayMicros) + varintSize(frame.windowLimit) + 1;
    let count = 0;
    let previousEnd = frame.cumulative;
    const limit = Math.min(bytesMax, this.remaining);
    for (const range of frame.ranges) {
      if (count >= rangesMax || count >= 63) break; // the count stays a 1-byte varint
      const rangeSize = varintSize(range.start - previousEnd - 1) + varintSize(range.end - range.start - 1);
      if (size + rangeSize > limit) break;
      size += rangeSize;
      previousEnd = range.end;
      count++;
    }
    this.#room(size);
    const buffer = this.#buffer;
    buffer[this.#offset++] = FRAME_ACK;
    let offset = writeVarint(buffer, this.#offset, frame.cumulative);
    offset = writeVarint(buffer, offset, frame.ackDelayMicros);
    offset = writeVarint(buffer, offset, frame.windowLimit);
    offset = writeVarint(buffer, offset, count);
    previousEnd = frame.cumulative;
    for (let index = 0; index < count; index++) {
      const range = frame.ranges[index]!;
      offset = writeVarint(buffer, offset, range.start - previousEnd - 1);
      offset = writeVarint(buffer, offset, range.end - range.start - 1);
      previousEnd = range.end;
    }
    this.#offset = offset;
    return count;
  }

  /** A DATA frame; `withLength` false only for the last frame of a datagram. */
  data(seq: number, messageLength: number | undefined, last: boolean, payload: Uint8Array, withLength = true): void {
    this.#room(dataFrameSize(seq, messageLength, payload.length));
    const buffer = this.#buffer;
    buffer[this.#offset++] = FRAME_DATA | (messageLength === undefined ? 0 : DATA_FIRST) | (withLength ? DATA_LENGTH : 0) | (last ? DATA_LAST : 0);
    let offset = writeVarint(buffer, this.#offset, seq);
    if (messageLength !== undefined) offset = writeVarint(buffer, offset, messageLength);
    if (withLength) offset = writeVarint(buffer, offset, payload.length);
    buffer.set(payload, offset);
    this.#offset = offset + payload.length;
  }

  datagram(payload: Uint8Array, withLength = true): void {
    this.#room(datagramFrameSize(payload.length));
    const buffer = this.#buffer;
    buffer[this.#offset++] = FRAME_DATAGRAM | (withLength ? DATAGRAM_LENGTH : 0);
    const offset = withLength ? writeVarint(buffer, this.#offset, payload.length) : this.#offset;
    buffer.set(payload, offset);
    this.#offset = offset + payload.length;
  }

  /** The datagram (a view into the slab); the writer is done after this. */
  finish(): Uint8Array {
    if (this.#buffer.buffer === slab.buffer) slabUsed = this.#buffer.byteOffset + this.#offset;
    return this.#buffer.subarray(0, this.#offset);
  }

  #room(size: number): void {
    // The packer checks sizes before writing: overrunning the datagram is a bug.
    if (size > this.remaining) throw new RangeError(`channel frame writer: ${size} bytes do not fit in ${this.remaining}`);
  }
}

/** Encodes frames into one datagram; the last DATA/DATAGRAM frame omits its length. */
export function encodeFrames(frames: readonly Frame[], ackRangesMax = 64): Uint8Array {
  const writer = new FrameWriter(65_536);
  frames.forEach((frame, index) => {
    const isLast = index === frames.length - 1;
    switch (frame.type) {
      case 'ping':
        return writer.ping();
      case 'ack':
        if (writer.ack(frame, Infinity, ackRangesMax) !== frame.ranges.length) throw new RangeError('encodeFrames: too many ACK ranges');
        return;
      case 'data':
        return writer.data(frame.seq, frame.messageLength, frame.last, frame.payload, !isLast);
      case 'datagram':
        return writer.datagram(frame.payload, !isLast);
    }
  });
  return writer.finish().slice();
}

/**
 * Decodes one datagram. Never throws: any malformed frame rejects the whole datagram with a
 * code, since nothing after a bad frame can be trusted to be aligned. Payloads are views
 * into `bytes`.
 */
export function decodeFrames(bytes: Uint8Array, limits: FrameLimits): FrameDecodeResult {
  if (bytes.length === 0) return { ok: false, code: 'CHANNEL_EMPTY_DATAGRAM', message: 'empty datagram' };
  const reader = new ByteReader(bytes);
  const frames: Frame[] = [];
  while (reader.remaining > 0) {
    const at = reader.offset;
    const type = reader.u8();
    let frame: Frame | string;
    if (type === FRAME_PING) frame = { type: 'ping' };
    else if (type === FRAME_ACK) frame = readAck(reader, limits);
    else if ((type & 0xf8) === FRAME_DATA) frame = readData(reader, type, limits);
    else if ((type & 0xfe) === FRAME_DATAGRAM) frame = { type: 'datagram', payload: reader.take(type & DATAGRAM_LENGTH ? reader.varint() : reader.remaining) };
    else return { ok: false, code: 'CHANNEL_UNKNOWN_FRAME', message: `unknown frame type 0x${type.toString(16).padStart(2, '0')} at byte ${at}` };
    if (reader.error !== undefined) return { ok: false, code: reader.error, message: `frame type 0x${type.toString(16).padStart(2, '0')} at byte ${at}` };
    if (typeof frame === 'string') return { ok: false, code: type === FRAME_ACK ? 'CHANNEL_BAD_ACK' : 'CHANNEL_BAD_FRAGMENT', message: `${frame} (frame at byte ${at})` };
    frames.push(frame);
  }
  return { ok: true, frames };
}

/** Returns the frame, or a string saying what is wrong with it. */
function readAck(reader: ByteReader, limits: FrameLimits): AckFrame | string {
  const cumulative = reader.varint();
  const ackDelayMicros = reader.varint();
  const windowLimit = reader.varint();
  const count = reader.varint();
  if (reader.error !== undefined) return EMPTY_ACK;
  if (count > limits.ackRangesMax) return `${count} ACK ranges exceed ${limits.ackRangesMax}`;
  const ranges: SeqRange[] = [];
  let previousEnd = cumulative;
  for (let index = 0; index < count; index++) {
    const start = previousEnd + reader.varint() + 1;
    const end = start + reader.varint() + 1;
    if (reader.error !== undefined) return EMPTY_ACK;
    if (end > Number.MAX_SAFE_INTEGER) return 'an ACK range past 2^53';
    ranges.push({ start, end });
    previousEnd = end;
  }
  return { type: 'ack', cumulative, ackDelayMicros, windowLimit, ranges };
}

function readData(reader: ByteReader, type: number, limits: FrameLimits): DataFrame | string {
  const seq = reader.varint();
  const messageLength = type & DATA_FIRST ? reader.varint() : undefined;
  const payload = reader.take(type & DATA_LENGTH ? reader.varint() : reader.remaining);
  if (reader.error !== undefined) return EMPTY_DATA;
  const last = (type & DATA_LAST) !== 0;
  if (messageLength !== undefined) {
    if (messageLength > limits.messageBytesMax) return `a message of ${messageLength} bytes exceeds ${limits.messageBytesMax}`;
    if (payload.length > messageLength) return `a ${payload.length}-byte fragment of a ${messageLength}-byte message`;
    if (last && payload.length !== messageLength) return `a one-fragment message of ${messageLength} bytes carries ${payload.length}`;
  } else if (payload.length === 0) {
    return 'an empty fragment after the first';
  }
  return { type: 'data', seq, messageLength, last, payload };
}

// Placeholders returned when the reader failed; the caller reports reader.error instead.
const EMPTY_ACK: AckFrame = { type: 'ack', cumulative: 0, ackDelayMicros: 0, windowLimit: 0, ranges: [] };
const EMPTY_DATA: DataFrame = { type: 'data', seq: 0, messageLength: undefined, last: false, payload: new Uint8Array(0) };
