import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeMessage,
  decodeMessageOrThrow,
  encodeMessage,
  RendezvousError,
  wireArrayLengthMax,
  wireElementCountMax,
  wireErrorCodes,
  wireMessageBytesMax,
  type WireErrorCode,
  type WireMessage,
} from '../../rendezvous/index.ts';
import { arrayHeader, bin, envelope, mapHeader, pack, str } from './msgpack.ts';

/**
 * One decoding example per wire error code. The table is a Record over WireErrorCode, so
 * adding a code without an example does not typecheck. limits.test.ts probes each limit at
 * its edge; vectors.json holds more cases per code.
 */
const ping = (nonce: number[] | Uint8Array): Uint8Array => envelope('ping', [str('nonce'), nonce], 1);

const examples: Record<WireErrorCode, { bytes: () => Uint8Array; field?: string }> = {
  TOO_LARGE: { bytes: () => new Uint8Array(wireMessageBytesMax + 1) },
  TOO_DEEP: { bytes: () => new Uint8Array(100).fill(0x91) },
  TOO_MANY_ELEMENTS: {
    bytes: () => {
      const inner = Math.ceil(wireElementCountMax / wireArrayLengthMax) + 1;
      const full = pack(arrayHeader(wireArrayLengthMax), new Uint8Array(wireArrayLengthMax));
      return pack(arrayHeader(inner), ...Array.from({ length: inner }, () => full));
    },
  },
  ARRAY_TOO_LONG: { bytes: () => ping([0xdc, 0xff, 0xff]) },
  MAP_TOO_LARGE: { bytes: () => ping([0xde, 0xff, 0xff]) },
  STRING_TOO_LONG: { bytes: () => ping([0xdb, 0xff, 0xff, 0xff, 0xff]) },
  BYTES_TOO_LONG: { bytes: () => ping([0xc6, 0x00, 0x10, 0x00, 0x01]) },
  TRUNCATED: { bytes: () => ping([0xcd, 0x01]) },
  TRAILING_BYTES: { bytes: () => pack(ping([7]), [0xc0]) },
  MALFORMED: { bytes: () => ping([0xc1]) },
  FORBIDDEN_TYPE: { bytes: () => ping([0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]) },
  DUPLICATE_KEY: { bytes: () => pack(mapHeader(4), str('v'), [1], str('type'), str('ping'), str('nonce'), [1], str('nonce'), [1]) },
  NOT_AN_ENVELOPE: { bytes: () => str('ping') },
  UNKNOWN_VERSION: { bytes: () => pack(mapHeader(3), str('v'), [0xcc, 0xff], str('type'), str('ping'), str('nonce'), [1]), field: 'v' },
  UNKNOWN_TYPE: { bytes: () => envelope('Ping', [str('nonce'), [1]], 1), field: 'type' },
  BAD_FIELD: { bytes: () => envelope('hello', [str('key'), bin(new Uint8Array(32)), str('nickname'), [0xc2], str('timeMs'), [0], str('signature'), bin(new Uint8Array(64))], 4), field: 'hello.nickname' },
  MISSING_FIELD: { bytes: () => envelope('error', [str('code'), str('E')], 1), field: 'error.message' },
  UNKNOWN_FIELD: { bytes: () => envelope('pong', [str('nonce'), [1], str('Nonce'), [1]], 2), field: 'pong.Nonce' },
};

for (const code of wireErrorCodes) {
  test(`decoding fails with ${code}`, () => {
    const example = examples[code];
    const decoded = decodeMessage(example.bytes());
    assert.ok(!decoded.ok, 'decoded, but should fail');
    assert.ok(decoded.error instanceof RendezvousError);
    assert.equal(decoded.error.code, code, decoded.error.message);
    assert.equal(decoded.error.field, example.field);
    assert.equal(decoded.error.name, 'RendezvousError');
    assert.throws(() => decodeMessageOrThrow(example.bytes()), { code });
  });
}

test('encoding refuses a value outside its schema, naming the field', () => {
  const room = new Uint8Array(16);
  const cases: [unknown, WireErrorCode, string][] = [
    [{ type: 'chat', room: new Uint8Array(15), sequence: 0, sentAtMs: 0n, text: '' }, 'BAD_FIELD', 'chat.room'],
    [{ type: 'chat', room, sequence: -1, sentAtMs: 0n, text: '' }, 'BAD_FIELD', 'chat.sequence'],
    [{ type: 'chat', room, sequence: 1.5, sentAtMs: 0n, text: '' }, 'BAD_FIELD', 'chat.sequence'],
    [{ type: 'chat', room, sequence: 2 ** 53, sentAtMs: 0n, text: '' }, 'BAD_FIELD', 'chat.sequence'],
    [{ type: 'chat', room, sequence: 0, sentAtMs: -1n, text: '' }, 'BAD_FIELD', 'chat.sentAtMs'],
    [{ type: 'chat', room, sequence: 0, sentAtMs: 2n ** 64n, text: '' }, 'BAD_FIELD', 'chat.sentAtMs'],
    [{ type: 'chat', room, sequence: 0, sentAtMs: 0n, text: 'x'.repeat(65_537) }, 'BAD_FIELD', 'chat.text'],
    [{ type: 'chat', room, sequence: 0, sentAtMs: 0n, text: '\ud800' }, 'BAD_FIELD', 'chat.text'],
    [{ type: 'chat', room, sequence: 0, sentAtMs: 0n }, 'MISSING_FIELD', 'chat.text'],
    [{ type: 'chat', room, sequence: 0, sentAtMs: 0n, text: '', extra: 1 }, 'UNKNOWN_FIELD', 'chat.extra'],
    [{ type: 'hello', key: new Uint8Array(32), nickname: 'Zoe\u0301', timeMs: 0n, signature: new Uint8Array(64) }, 'BAD_FIELD', 'hello.nickname'],
    [{ type: 'nope' }, 'UNKNOWN_TYPE', 'type'],
  ];
  for (const [message, code, field] of cases) {
    assert.throws(() => encodeMessage(message as WireMessage), { name: 'RendezvousError', code, field }, `${field}`);
  }
});
