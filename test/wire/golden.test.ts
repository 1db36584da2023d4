import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../names/index.ts';
import { decodeMessage, encodeMessage, RendezvousError, wireMessageDefinitions, wireRegistry, type WireMessage } from '../../rendezvous/index.ts';
import { fieldsFromJson } from './json-values.ts';

/**
 * Golden bytes for every message type (test/wire/vectors.json, language-neutral: bytes as hex,
 * u64 as decimal strings). `valid` cases must encode to exactly their hex and decode back;
 * `decodeOnly` cases are other encodings a decoder must accept; `invalid` cases name the
 * error code and, where there is one, the field.
 */
interface Vectors {
  valid: { note: string; value: { type: string } & Record<string, unknown>; hex: string }[];
  decodeOnly: { note: string; value: { type: string } & Record<string, unknown>; hex: string }[];
  invalid: { note: string; code: string; field?: string; hex: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as Vectors;

function messageFromJson(json: { type: string } & Record<string, unknown>): WireMessage {
  const { type, ...fields } = json;
  const definition = wireRegistry.byType.get(type);
  assert.ok(definition !== undefined, `vector of unknown type ${type}`);
  return { type, ...fieldsFromJson(definition.schema.fields, fields) } as WireMessage;
}

test('every registered message type has a golden fixture', () => {
  const covered = new Set(vectors.valid.map((vector) => vector.value.type));
  const missing = wireMessageDefinitions.map((definition) => definition.type).filter((type) => !covered.has(type));
  assert.deepEqual(missing, [], `add a valid vector to test/wire/vectors.json for: ${missing.join(', ')}`);
});

test('valid vectors encode to exactly their bytes and decode back', () => {
  for (const vector of vectors.valid) {
    const message = messageFromJson(vector.value);
    assert.equal(bytesToHex(encodeMessage(message)), vector.hex, vector.note);
    const decoded = decodeMessage(hexToBytes(vector.hex));
    assert.ok(decoded.ok, `${vector.note}: ${decoded.ok ? '' : decoded.error.message}`);
    assert.deepStrictEqual(decoded.message, message, vector.note);
  }
});

test('decodeOnly vectors decode to their value and re-encode canonically', () => {
  for (const vector of vectors.decodeOnly) {
    const message = messageFromJson(vector.value);
    const decoded = decodeMessage(hexToBytes(vector.hex));
    assert.ok(decoded.ok, `${vector.note}: ${decoded.ok ? '' : decoded.error.message}`);
    assert.deepStrictEqual(decoded.message, message, vector.note);
    assert.notEqual(bytesToHex(encodeMessage(decoded.message)), vector.hex, `${vector.note}: not canonical, so it must differ`);
  }
});

test('invalid vectors fail with their code and field', () => {
  for (const vector of vectors.invalid) {
    const decoded = decodeMessage(hexToBytes(vector.hex));
    assert.ok(!decoded.ok, `${vector.note}: decoded, but should fail with ${vector.code}`);
    assert.ok(decoded.error instanceof RendezvousError, vector.note);
    assert.equal(decoded.error.code, vector.code, `${vector.note}: ${decoded.error.message}`);
    assert.equal(decoded.error.field, vector.field, `${vector.note}: ${decoded.error.message}`);
  }
});

test('every strict prefix of a valid encoding is TRUNCATED', () => {
  for (const vector of [...vectors.valid, ...vectors.decodeOnly]) {
    const bytes = hexToBytes(vector.hex);
    for (let length = 0; length < bytes.length; length += 1) {
      const decoded = decodeMessage(bytes.subarray(0, length));
      assert.equal(decoded.ok ? 'ok' : decoded.error.code, 'TRUNCATED', `${vector.note}, first ${length} bytes`);
    }
  }
});

test('a __proto__ key does not reach Object.prototype', () => {
  const vector = vectors.invalid.find((candidate) => candidate.note.startsWith('a __proto__ field'));
  assert.ok(vector !== undefined);
  decodeMessage(hexToBytes(vector.hex));
  assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
