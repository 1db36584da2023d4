import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../../names/index.ts';
import { decodeFrames, encodeFrames } from '../../rendezvous/channel/index.ts';
import type { Frame } from '../../rendezvous/channel/index.ts';
import { ByteReader, writeVarint } from '../../rendezvous/channel/varint.ts';
import { channelMessageBytesMax } from '../../rendezvous/constants.ts';
import { channelErrorCodes } from '../../rendezvous/errors.ts';

type VectorFrame = Record<string, unknown> & { type: string; payload?: string };
const vectors = JSON.parse(readFileSync(new URL('./frames.vectors.json', import.meta.url), 'utf8')) as {
  limits: { messageBytesMax: number; ackRangesMax: number };
  valid: { note: string; hex: string; frames: VectorFrame[] }[];
  invalid: { note: string; hex: string; code: string; message: string }[];
};
const limits = vectors.limits;

function fromVector(frame: VectorFrame): Frame {
  if (frame.type === 'data') {
    return { type: 'data', seq: frame.seq as number, messageLength: frame.messageLength as number | undefined, last: frame.last as boolean, payload: hexToBytes(frame.payload!) };
  }
  if (frame.type === 'datagram') return { type: 'datagram', payload: hexToBytes(frame.payload!) };
  return frame as unknown as Frame;
}

test('the vector limits are the protocol limits', () => {
  assert.equal(limits.messageBytesMax, channelMessageBytesMax);
  assert.equal(limits.ackRangesMax, 64);
});

test('golden bytes: valid frames decode and encode back', () => {
  for (const vector of vectors.valid) {
    const expected = vector.frames.map(fromVector);
    const decoded = decodeFrames(hexToBytes(vector.hex), limits);
    assert.ok(decoded.ok, `${vector.note}: ${decoded.ok ? '' : decoded.message}`);
    assert.deepEqual(decoded.frames, expected, vector.note);
    assert.equal(bytesToHex(encodeFrames(expected)), vector.hex, vector.note);
  }
});

test('golden bytes: invalid datagrams are dropped with their code', () => {
  for (const vector of vectors.invalid) {
    const decoded = decodeFrames(hexToBytes(vector.hex), limits);
    assert.ok(!decoded.ok, `${vector.note}: decoded`);
    assert.equal(decoded.code, vector.code, vector.note);
    assert.ok(decoded.message.includes(vector.message), `${vector.note}: "${decoded.message}" lacks "${vector.message}"`);
  }
});

test('varints round-trip at every length boundary and reject values past 2^53 − 1', () => {
  for (const value of [0, 63, 64, 16_383, 16_384, 2 ** 30 - 1, 2 ** 30, 2 ** 32, 2 ** 53 - 1]) {
    const bytes = new Uint8Array(8);
    const end = writeVarint(bytes, 0, value);
    const reader = new ByteReader(bytes.subarray(0, end));
    assert.equal(reader.varint(), value);
    assert.equal(reader.error, undefined);
    assert.equal(reader.remaining, 0);
  }
  assert.throws(() => writeVarint(new Uint8Array(8), 0, 2 ** 53));
  const tooBig = new ByteReader(hexToBytes('c020000000000000')); // 2^53
  tooBig.varint();
  assert.equal(tooBig.error, 'CHANNEL_BAD_VARINT');
});

const payload = fc.uint8Array({ maxLength: 64 });
const frameArbitrary: fc.Arbitrary<Frame> = fc.oneof(
  fc.constant<Frame>({ type: 'ping' }),
  fc.record({ cumulative: fc.nat({ max: 2 ** 40 }), ackDelayMicros: fc.nat({ max: 2 ** 30 - 1 }), windowLimit: fc.nat({ max: 2 ** 40 }), spans: fc.array(fc.tuple(fc.nat(300), fc.nat(300)), { maxLength: 20 }) }).map(({ cumulative, ackDelayMicros, windowLimit, spans }): Frame => {
    const ranges = [];
    let previousEnd = cumulative;
    for (const [gap, length] of spans) {
      const start = previousEnd + gap + 1;
      ranges.push({ start, end: start + length + 1 });
      previousEnd = start + length + 1;
    }
    return { type: 'ack', cumulative, ackDelayMicros, windowLimit, ranges };
  }),
  fc.record({ seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }), first: fc.boolean(), last: fc.boolean(), payload, extra: fc.nat(1000) }).map(({ seq, first, last, payload, extra }): Frame => {
    const data = payload.length === 0 && !first ? new Uint8Array([1]) : payload;
    const messageLength = first ? data.length + (last ? 0 : extra) : undefined;
    return { type: 'data', seq, messageLength, last, payload: data };
  }),
  payload.map((bytes): Frame => ({ type: 'datagram', payload: bytes })),
);

test('property: decode(encode(frames)) == frames', () => {
  fc.assert(
    fc.property(fc.array(frameArbitrary, { minLength: 1, maxLength: 8 }), (frames) => {
      const decoded = decodeFrames(encodeFrames(frames), limits);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
      assert.deepEqual(decoded.frames, frames);
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: random and mutated bytes only ever yield frames or a channel drop code', () => {
  const codes = new Set<string>(channelErrorCodes);
  const check = (bytes: Uint8Array): void => {
    const decoded = decodeFrames(bytes, limits);
    if (!decoded.ok) assert.ok(codes.has(decoded.code), decoded.code);
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) => check(bytes)), { numRuns: 5000 });
  fc.assert(
    fc.property(fc.array(frameArbitrary, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(255), fc.nat(), (frames, position, value, cut) => {
      const bytes = encodeFrames(frames);
      const flipped = bytes.slice();
      flipped[position % flipped.length] = value;
      check(flipped);
      check(bytes.subarray(0, cut % (bytes.length + 1)));
    }),
    { numRuns: 5000 },
  );
});
