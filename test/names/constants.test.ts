import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEY_TEXT_LENGTH, LOGIN_NAME_LENGTH_MAX, NAME_LIMITS, checkNameLimits } from '../../names/index.ts';

test('the limits relate as the startup check says', () => {
  assert.doesNotThrow(() => checkNameLimits(NAME_LIMITS));
  assert.equal(LOGIN_NAME_LENGTH_MAX, 63);
  assert.equal(KEY_TEXT_LENGTH, 61);
});

test('the startup check catches limits that do not fit together', () => {
  assert.throws(() => checkNameLimits({ ...NAME_LIMITS, loginNameLengthMax: 64 }), /login name max = wallet max \+ "@" \+ agent max/);
  assert.throws(() => checkNameLimits({ ...NAME_LIMITS, walletNameLengthMax: 40, loginNameLengthMax: 72 }), /fit 255 UTF-8 bytes/);
  assert.throws(() => checkNameLimits({ ...NAME_LIMITS, lengthRanges: [[0, 5]] }), /no name may be empty/);
  assert.throws(() => checkNameLimits({ ...NAME_LIMITS, keyDisplayCharacters: 52 }), /abbreviated key/);
});
