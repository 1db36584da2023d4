import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  NamesError,
  abbreviateKey,
  displayZookoName,
  encodeKey,
  hexToBytes,
  validateNickname,
  validatePetname,
  type Nickname,
} from '../../names/index.ts';

const KEY = encodeKey('wallet', hexToBytes('f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9'));
const SHORT = 'pw1lycg5q…erryql';

test('keys are abbreviated to prefix, first six and last six data characters', () => {
  assert.equal(KEY, 'pw1lycg5qvjtrp3qjf5f7zl382j9x6nrjz9sdhenvyxq8c3808qxmuserryql');
  assert.equal(abbreviateKey(KEY), SHORT);
});

test('a petname is shown plainly; the nickname is kept only as a claim beside it', () => {
  const display = displayZookoName({ key: KEY, petname: validatePetname('Mum'), nickname: validateNickname('Bank of Earth') });
  assert.deepEqual(display, { status: 'trusted', petname: 'Mum', claimedNickname: 'Bank of Earth', key: KEY, keyShort: SHORT, text: 'Mum' });
});

test('without a petname the contact is unverified and its nickname is marked as claimed', () => {
  const display = displayZookoName({ key: KEY, nickname: validateNickname('alice') });
  assert.equal(display.status, 'unverified');
  assert.equal(display.text, `~alice (unverified, ${SHORT})`);
  assert.equal(displayZookoName({ key: KEY }).text, `(unverified, ${SHORT})`);
});

test('property: a nickname never shows as a petname', () => {
  const nickname = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((text) => {
    try {
      validateNickname(text);
      return true;
    } catch {
      return false;
    }
  });
  fc.assert(
    fc.property(nickname, (text) => {
      const display = displayZookoName({ key: KEY, nickname: validateNickname(text) as Nickname });
      assert.equal(display.status, 'unverified');
      assert.ok(display.text.startsWith('~') && display.text.endsWith(`(unverified, ${SHORT})`));
      assert.notEqual(display.text, text);
    }),
    { numRuns: 200 },
  );
});

test('nickname rules: NFC, length, no invisible characters, no display-frame characters', () => {
  assert.equal(validateNickname('Jose\u0301'), 'Jos\u00e9');
  assert.equal(validateNickname('Bob the Builder'), 'Bob the Builder');
  assert.throws(() => validateNickname(''), { code: 'BAD_NICKNAME', message: 'nickname "": empty' });
  assert.throws(() => validateNickname('x'.repeat(49)), { code: 'BAD_NICKNAME', message: /: 49 characters long, at most 48$/ });
  assert.throws(() => validateNickname('bob (verified)'), {
    code: 'BAD_NICKNAME',
    message: `nickname "bob (verified)": '(' (U+0028) at index 4; the display of an unverified contact uses it`,
  });
  assert.throws(() => validateNickname('~alice'), { code: 'BAD_NICKNAME', message: /'~' \(U\+007E\) at index 0/ });
  assert.throws(() => validateNickname('ali\u202ece'), { code: 'BAD_NICKNAME', message: 'nickname "ali\\u{202E}ce": bidirectional control U+202E at index 3' });
  assert.throws(() => validateNickname('a\u200bb'), { code: 'BAD_NICKNAME', message: /invisible format character U\+200B at index 1/ });
  assert.throws(() => validateNickname('a\tb'), { code: 'BAD_NICKNAME', message: /control character U\+0009 at index 1/ });
  assert.throws(() => validateNickname(' bob'), { code: 'BAD_NICKNAME', message: /space U\+0020 at index 0; no space at the start/ });
  assert.throws(() => validateNickname('bob '), { code: 'BAD_NICKNAME', message: /space U\+0020 at index 3; no space at the end/ });
  assert.throws(() => validateNickname('bo  b'), { code: 'BAD_NICKNAME', message: /space U\+0020 at index 3; no two spaces in a row/ });
  assert.throws(() => validateNickname('bo\u00a0b'), { code: 'BAD_NICKNAME', message: /space U\+00A0 at index 2; the only space allowed is U\+0020/ });
  assert.throws(() => validateNickname('\u0301bob'), { code: 'BAD_NICKNAME', message: /combining mark U\+0301 at index 0; a mark must follow a letter or digit/ });
  assert.throws(() => validateNickname(`q${'\u0301\u0302\u0303\u0304\u0305'}`), { code: 'BAD_NICKNAME', message: /combining mark U\+0305 at index 5; at most 4 marks in a row/ });
  assert.throws(() => validateNickname(7 as unknown as string), { code: 'BAD_NICKNAME', message: 'nickname: expected a string, got number' });
});

test('petname rules: like nicknames, longer, parentheses allowed, no leading ~', () => {
  assert.equal(validatePetname('Bob (work)'), 'Bob (work)');
  assert.equal(validatePetname('x'.repeat(63)).length, 63);
  assert.throws(() => validatePetname('x'.repeat(64)), { code: 'BAD_PETNAME', message: /64 characters long, at most 63$/ });
  assert.throws(() => validatePetname('~bob'), { code: 'BAD_PETNAME', message: `petname "~bob": '~' (U+007E) at index 0; a leading '~' marks claimed nicknames` });
  assert.throws(() => validatePetname('bo\u200db'), { code: 'BAD_PETNAME', message: /zero-width joiner or non-joiner U\+200D at index 2/ });
  assert.throws(() => validatePetname(''), (error: unknown) => error instanceof NamesError && error.code === 'BAD_PETNAME');
});
