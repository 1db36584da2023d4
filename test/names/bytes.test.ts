import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, concatBytes, equalBytes, expectBytes, hexToBytes } from '../../names/index.ts';

test('expectBytes names the field and the expected size', () => {
  assert.throws(() => expectBytes(new Uint8Array(31), 32, 'key'), { code: 'BAD_LENGTH', message: 'key: expected 32 bytes, got 31' });
  assert.throws(() => expectBytes('ab', 32, 'key'), { code: 'BAD_TYPE', message: 'key: expected 32 bytes, got string' });
  assert.equal(expectBytes(new Uint8Array(32), 32, 'key').length, 32);
});

test('hex round trip and constant-time equality', () => {
  const bytes = hexToBytes('00ff10');
  assert.equal(bytesToHex(bytes), '00ff10');
  assert.throws(() => hexToBytes('0'), { code: 'BAD_ENCODING' });
  assert.throws(() => hexToBytes('zz'), { code: 'BAD_ENCODING' });
  assert.ok(equalBytes(concatBytes(hexToBytes('00'), hexToBytes('ff10')), bytes));
  assert.ok(!equalBytes(bytes, hexToBytes('00ff11')));
  assert.ok(!equalBytes(bytes, hexToBytes('00ff')));
});
