import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createRegistry,
  defineMessage,
  pingMessage,
  wireArrayLengthMax,
  wireBinBytesMax,
  wireDepthMax,
  wireMapSizeMax,
  wireSchema,
  type MessageOf,
  type WireMessage,
  type WireMessageOf,
} from '../../rendezvous/index.ts';
import { kitchenSinkMessage } from './test-messages.ts';

const { arrayOf, bool, bytes, object, optional, string, u64, uint } = wireSchema;

/** A schema outside the wire limits is a bug: defining it fails at startup, not on the network. */
test('defineMessage refuses schemas the wire could not carry', () => {
  assert.throws(() => defineMessage('two-payloads', { a: bytes({ lengthMax: wireBinBytesMax }), b: bytes({ lengthMax: wireBinBytesMax }) }), /may encode to/);
  assert.throws(() => defineMessage('long-array', { a: arrayOf(bool(), { lengthMax: wireArrayLengthMax + 1 }) }), /arrays up to/);
  assert.throws(() => defineMessage('huge-bin', { a: bytes({ lengthMax: wireBinBytesMax + 1 }) }), /exceed the wire limit/);
  const manyFields = Object.fromEntries(Array.from({ length: wireMapSizeMax - 1 }, (_, index) => [`f${index}`, bool()]));
  assert.throws(() => defineMessage('many-fields', manyFields), /fields exceed the wire map limit/);
  const nest = (levels: number): wireSchema.Kind => (levels === 0 ? bool() : arrayOf(nest(levels - 1), { lengthMax: 1 }));
  assert.doesNotThrow(() => defineMessage('deep', { a: nest(wireDepthMax - 1) })); // the envelope is the first level
  assert.throws(() => defineMessage('deep', { a: nest(wireDepthMax) }), /nests 9 containers/);
  assert.throws(() => defineMessage('many-values', { a: arrayOf(arrayOf(bool(), { lengthMax: 100 }), { lengthMax: 1000 }) }), /may hold/);
});

test('defineMessage refuses bad names and envelope keys', () => {
  assert.throws(() => defineMessage('Ping', { nonce: u64() }), /bad type name/);
  assert.throws(() => defineMessage('ping pong', { nonce: u64() }), /bad type name/);
  assert.throws(() => defineMessage('shadow', { v: uint() }), /envelope key/);
  assert.throws(() => defineMessage('shadow', { type: string({ bytesMax: 8 }) }), /envelope key/);
  assert.throws(() => object({ ['__proto__']: bool() } as never), /bad field name/);
  assert.throws(() => object({ '0': bool() }), /bad field name/);
  assert.throws(() => createRegistry([pingMessage, pingMessage]), /defined twice/);
  assert.throws(() => arrayOf(optional(bool()), { lengthMax: 1 }), /cannot be optional/);
  assert.throws(() => uint({ max: 2 ** 53 }), /bad range/);
  assert.throws(() => u64({ max: 2n ** 64n }), /bad range/);
});

test('decoded messages are typed by their schema', () => {
  // compile-time checks: `npm test` typechecks this file
  const narrow = (message: WireMessage): string => {
    switch (message.type) {
      case 'chat':
        return `${message.text.length} ${message.sequence.toFixed(0)} ${message.sentAtMs.toString()} ${message.room.byteLength}`;
      case 'hello':
        return message.nickname;
      case 'ping':
      case 'pong':
        return message.nonce.toString(16);
      case 'error':
        return message.code;
      default:
        // rendezvous messages (rendezvous/wire/messages-rendezvous.ts) are typed the same way
        return message.type;
    }
  };
  type Sink = MessageOf<typeof kitchenSinkMessage>;
  const sink: Sink = {
    type: 'kitchen-sink',
    flag: true,
    mode: 'relayed',
    count: 1,
    big: 10n,
    tags: ['a'],
    peer: { key: new Uint8Array(32) },
    hops: [{ address: new Uint8Array(4), port: 1 }],
    cube: [[[true]]],
  };
  const chat: WireMessageOf<'chat'> = { type: 'chat', room: new Uint8Array(16), sequence: 1, sentAtMs: 1n, text: '' };
  // @ts-expect-error an enum accepts only its values
  const badMode: Sink['mode'] = 'other';
  // @ts-expect-error u64 fields are bigints
  const badNonce: WireMessageOf<'ping'> = { type: 'ping', nonce: 1 };
  const note: string | undefined = sink.peer.note;
  assert.equal(narrow(chat), '0 1 1 16');
  assert.equal(typeof note, 'undefined');
  assert.deepEqual([badMode, badNonce.nonce], ['other', 1]);
});
