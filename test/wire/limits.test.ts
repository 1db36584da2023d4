import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeMessage,
  decodeWith,
  wireArrayLengthMax,
  wireBinBytesMax,
  wireDepthMax,
  wireElementCountMax,
  wireKeyBytesMax,
  wireMapSizeMax,
  wireMessageBytesMax,
  wireStringBytesMax,
} from '../../rendezvous/index.ts';
import { arrayHeader, binHeader, envelope, mapHeader, pack, str, stringHeader, type Part } from './msgpack.ts';
import { testRegistry } from './test-messages.ts';

/**
 * Each wire limit, just at it and just past it. "At the limit" must get past the pre-scan:
 * into a test message type that decodes (ok), or to the envelope check of an unregistered
 * type 'x' (UNKNOWN_TYPE), which runs only after the pre-scan and msgpackr accepted the bytes.
 */

function codeOf(bytes: Uint8Array): string {
  const decoded = decodeMessage(bytes);
  return decoded.ok ? 'ok' : decoded.error.code;
}

/** `{ v, type: 'x', a: <value> }` */
function withValue(...value: Part[]): Uint8Array {
  return envelope('x', [str('a'), ...value], 1);
}

function nils(count: number): Uint8Array {
  return new Uint8Array(count).fill(0xc0);
}

test('TOO_LARGE: a message of wireMessageBytesMax bytes passes, one byte more does not', () => {
  const withSecondBin = (length: number): Uint8Array =>
    envelope('x', [str('a'), binHeader(wireBinBytesMax), new Uint8Array(wireBinBytesMax), str('b'), binHeader(length, 16), new Uint8Array(length)], 2);
  const fill = wireMessageBytesMax - withSecondBin(0).length;
  assert.equal(withSecondBin(fill).length, wireMessageBytesMax);
  assert.equal(codeOf(withSecondBin(fill)), 'UNKNOWN_TYPE');
  assert.equal(codeOf(withSecondBin(fill + 1)), 'TOO_LARGE');
  assert.equal(codeOf(new Uint8Array(wireMessageBytesMax + 1)), 'TOO_LARGE');
});

test('BYTES_TOO_LONG: a bin of wireBinBytesMax decodes, one byte more does not', () => {
  const blob = (length: number): Uint8Array => envelope('big-blob', [str('blob'), binHeader(length), new Uint8Array(length).fill(7)], 1);
  const decoded = decodeWith(testRegistry, blob(wireBinBytesMax));
  assert.ok(decoded.ok && decoded.message.type === 'big-blob');
  assert.equal(decoded.message.blob.length, wireBinBytesMax);
  assert.equal(codeOf(blob(wireBinBytesMax + 1)), 'BYTES_TOO_LONG');
  // a header claiming 4 GiB in a tiny buffer hits the limit before the truncation
  assert.equal(codeOf(withValue([0xc6, 0xff, 0xff, 0xff, 0xff])), 'BYTES_TOO_LONG');
});

test('STRING_TOO_LONG: a string of wireStringBytesMax decodes, one byte more does not', () => {
  const text = (length: number): Uint8Array => envelope('big-text', [str('text'), stringHeader(length), new Uint8Array(length).fill(0x61)], 1);
  const decoded = decodeWith(testRegistry, text(wireStringBytesMax));
  assert.ok(decoded.ok && decoded.message.type === 'big-text');
  assert.equal(decoded.message.text.length, wireStringBytesMax);
  assert.equal(codeOf(text(wireStringBytesMax + 1)), 'STRING_TOO_LONG');
  assert.equal(codeOf(withValue([0xdb, 0xff, 0xff, 0xff, 0xff])), 'STRING_TOO_LONG');
});

test('STRING_TOO_LONG: a key of wireKeyBytesMax passes, one byte more does not', () => {
  const withKey = (length: number): Uint8Array => envelope('x', [str('k'.repeat(length)), [0]], 1);
  assert.equal(codeOf(withKey(wireKeyBytesMax)), 'UNKNOWN_TYPE');
  assert.equal(codeOf(withKey(wireKeyBytesMax + 1)), 'STRING_TOO_LONG');
});

test('ARRAY_TOO_LONG: an array of wireArrayLengthMax passes, one item more does not', () => {
  assert.equal(codeOf(withValue(arrayHeader(wireArrayLengthMax), nils(wireArrayLengthMax))), 'UNKNOWN_TYPE');
  assert.equal(codeOf(withValue(arrayHeader(wireArrayLengthMax + 1), nils(wireArrayLengthMax + 1))), 'ARRAY_TOO_LONG');
  assert.equal(codeOf(withValue([0xdd, 0xff, 0xff, 0xff, 0xff])), 'ARRAY_TOO_LONG');
});

test('MAP_TOO_LARGE: a map of wireMapSizeMax entries passes, one entry more does not', () => {
  const withEntries = (extra: number): Uint8Array =>
    envelope('x', Array.from({ length: extra }, (_, index) => pack(str(`k${index}`), [index & 0x7f])), extra);
  assert.equal(codeOf(withEntries(wireMapSizeMax - 2)), 'UNKNOWN_TYPE');
  assert.equal(codeOf(withEntries(wireMapSizeMax - 1)), 'MAP_TOO_LARGE');
  assert.equal(codeOf(withValue([0xdf, 0xff, 0xff, 0xff, 0xff])), 'MAP_TOO_LARGE');
});

test('TOO_DEEP: wireDepthMax nested containers pass, one more does not', () => {
  // the envelope is depth 1
  const nested = (arrays: number): Uint8Array => withValue(new Uint8Array(arrays).fill(0x91), [0xc0]);
  assert.equal(codeOf(nested(wireDepthMax - 1)), 'UNKNOWN_TYPE');
  assert.equal(codeOf(nested(wireDepthMax)), 'TOO_DEEP');
  const maps = (count: number): Uint8Array => pack(...Array.from({ length: count }, () => pack(mapHeader(1), str('a'))), [0xc0]);
  assert.equal(codeOf(maps(wireDepthMax)), 'MISSING_FIELD'); // a map without v: past the pre-scan
  assert.equal(codeOf(maps(wireDepthMax + 1)), 'TOO_DEEP');
});

test('TOO_DEEP: nesting bombs stop at the first level too many', () => {
  for (const unit of [[0x91], [0xdc, 0x00, 0x01], [0x81, 0xa1, 0x61], [0xdd, 0, 0, 0, 1]]) {
    const bomb = new Uint8Array(unit.length * Math.floor(wireMessageBytesMax / unit.length));
    for (let offset = 0; offset < bomb.length; offset += unit.length) bomb.set(unit, offset);
    const started = performance.now();
    assert.equal(codeOf(bomb), 'TOO_DEEP');
    assert.ok(performance.now() - started < 50, 'the walk stops early');
  }
});

test('TOO_MANY_ELEMENTS: wireElementCountMax values pass, one more does not', () => {
  // map, v, 1, type, 'x', 'a', the outer array: 7 values before the inner arrays
  const inner = Math.ceil((wireElementCountMax - 7) / (wireArrayLengthMax + 1));
  const withNils = (total: number): Uint8Array => {
    const parts: Part[] = [arrayHeader(inner)];
    let left = total - 7 - inner;
    for (let index = 0; index < inner; index += 1) {
      const count = Math.min(left, wireArrayLengthMax);
      parts.push(arrayHeader(count), nils(count));
      left -= count;
    }
    assert.equal(left, 0);
    return withValue(...parts);
  };
  assert.equal(codeOf(withNils(wireElementCountMax)), 'UNKNOWN_TYPE');
  assert.equal(codeOf(withNils(wireElementCountMax + 1)), 'TOO_MANY_ELEMENTS');
});
