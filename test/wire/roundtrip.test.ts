import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMessage, decodeWith, encodeMessage, encodeWith, wireMessageDefinitions, type MessageDefinition } from '../../rendezvous/index.ts';
import { messageArbitrary } from './arbitraries.ts';
import { testMessageDefinitions, testRegistry } from './test-messages.ts';

/** decode(encode(x)) deep-equals x for every message type, with values derived from its schema. */

for (const definition of wireMessageDefinitions as readonly MessageDefinition[]) {
  test(`${definition.type}: decode(encode(x)) equals x, and encoding is deterministic`, () => {
    fc.assert(
      fc.property(messageArbitrary(definition), (message) => {
        const encoded = encodeMessage(message as never);
        const decoded = decodeMessage(encoded);
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
        assert.deepStrictEqual(decoded.message, message);
        assert.deepStrictEqual(encodeMessage(decoded.message), encoded);
      }),
      { numRuns: 300 },
    );
  });
}

for (const definition of testMessageDefinitions as readonly MessageDefinition[]) {
  test(`test type ${definition.type}: decode(encode(x)) equals x`, () => {
    fc.assert(
      fc.property(messageArbitrary(definition), (message) => {
        const encoded = encodeWith(testRegistry, message as never);
        const decoded = decodeWith(testRegistry, encoded);
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
        assert.deepStrictEqual(decoded.message, message);
        assert.deepStrictEqual(encodeWith(testRegistry, decoded.message), encoded);
      }),
      { numRuns: definition.type === 'kitchen-sink' ? 500 : 60 },
    );
  });
}

test('decoded bytes are plain Uint8Arrays that do not alias the input', () => {
  const room = Uint8Array.from({ length: 16 }, (_, index) => index);
  const encoded = Buffer.from(encodeMessage({ type: 'chat', room, sequence: 1, sentAtMs: 2n, text: 'hi' }));
  const decoded = decodeMessage(encoded);
  assert.ok(decoded.ok && decoded.message.type === 'chat');
  assert.equal(Object.getPrototypeOf(decoded.message.room), Uint8Array.prototype);
  encoded.fill(0);
  assert.deepStrictEqual(decoded.message.room, room);
});

test('encoding returns a fresh plain Uint8Array each time', () => {
  const first = encodeMessage({ type: 'ping', nonce: 1n });
  const second = encodeMessage({ type: 'ping', nonce: 2n });
  assert.equal(Object.getPrototypeOf(first), Uint8Array.prototype);
  assert.notEqual(first.buffer, second.buffer);
  assert.equal(first[first.length - 1], 1);
});
