import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bech32, bech32m } from '@scure/base';
import fc from 'fast-check';
import { decodeBech32m, encodeBech32m } from '../../names/bech32.ts';
import {
  KEY_KINDS,
  KEY_PREFIXES,
  KEY_TEXT_LENGTH,
  NamesError,
  decodeAny,
  decodeKey,
  decodeKeyOf,
  encodeKey,
  hexToBytes,
  isPublicKeyKind,
  isValidXOnlyPublicKey,
  type KeyKind,
  type WalletKeyText,
} from '../../names/index.ts';

// BIP340 test vector 0's public key (secret key 3), a valid x-only key.
const WALLET_KEY = hexToBytes('f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9');
// BIP340 test vector 5: "public key not on the curve".
const NOT_ON_CURVE = hexToBytes('eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34');
const DATA_ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** 32 bytes valid for the kind: any bytes for hashes, an x coordinate on the curve for keys. */
function arbitraryPayload(kind: KeyKind): fc.Arbitrary<Uint8Array> {
  const bytes = fc.uint8Array({ minLength: 32, maxLength: 32 });
  return isPublicKeyKind(kind) ? bytes.filter(isValidXOnlyPublicKey) : bytes;
}

const arbitraryEncoded = fc
  .constantFrom(...KEY_KINDS)
  .chain((kind) => arbitraryPayload(kind).map((bytes) => ({ kind, bytes, text: encodeKey(kind, bytes) as string })));

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof NamesError, `expected a NamesError, got ${String(error)}`);
    return error.code;
  }
}

test('every kind has its own two-letter prefix and a template-literal type', () => {
  assert.deepEqual(KEY_PREFIXES, { wallet: 'pw', agent: 'pa', payment: 'pp', transaction: 'pt', contract: 'pc', block: 'pb' });
  const text: WalletKeyText = encodeKey('wallet', WALLET_KEY);
  assert.ok(text.startsWith('pw1'));
  assert.equal(text.length, KEY_TEXT_LENGTH);
});

test('golden: a wallet key prints as this exact string', () => {
  const text = encodeKey('wallet', WALLET_KEY);
  assert.equal(text, 'pw1lycg5qvjtrp3qjf5f7zl382j9x6nrjz9sdhenvyxq8c3808qxmuserryql');
  assert.deepEqual(decodeKey('wallet', text), WALLET_KEY);
});

test('property: decode(encode(bytes)) == bytes for every kind, by decodeKey and decodeAny', () => {
  fc.assert(
    fc.property(arbitraryEncoded, ({ kind, bytes, text }) => {
      assert.deepEqual(decodeKey(kind, text), bytes);
      const any = decodeAny(text);
      assert.equal(any.kind, kind);
      assert.deepEqual(any.bytes, bytes);
      assert.equal(any.text, text);
      assert.deepEqual(decodeKey(kind, text.toUpperCase()), bytes, 'all upper case is accepted (BIP173)');
    }),
    { numRuns: 200 },
  );
});

test('property: any single-character change is rejected; in-alphabet substitutions by the checksum', () => {
  const printable = fc.integer({ min: 33, max: 126 }).map((code) => String.fromCharCode(code));
  fc.assert(
    fc.property(arbitraryEncoded, fc.nat(), printable, ({ text }, position, replacement) => {
      const index = position % text.length;
      fc.pre(text[index] !== replacement);
      const changed = text.slice(0, index) + replacement + text.slice(index + 1);
      const code = codeOf(() => decodeAny(changed));
      assert.ok(code === 'BAD_CHECKSUM' || code === 'BAD_ENCODING', `${changed}: got ${code}`);
      const separator = text.lastIndexOf('1');
      const inAlphabet = index > separator ? DATA_ALPHABET.includes(replacement) : /^[a-z]$/.test(replacement);
      if (index !== separator && inAlphabet) assert.equal(code, 'BAD_CHECKSUM', `${changed}`);
    }),
    { numRuns: 500 },
  );
});

test('property: a deleted or inserted character is rejected', () => {
  fc.assert(
    fc.property(arbitraryEncoded, fc.nat(), fc.constantFrom(...DATA_ALPHABET), ({ text }, position, extra) => {
      const index = position % text.length;
      const deleted = text.slice(0, index) + text.slice(index + 1);
      const inserted = text.slice(0, index) + extra + text.slice(index);
      assert.ok(codeOf(() => decodeAny(deleted)) !== undefined, deleted);
      assert.ok(codeOf(() => decodeAny(inserted)) !== undefined, inserted);
    }),
  );
});

test('property: decoding arbitrary text yields a value or a typed error, never anything else', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
      codeOf(() => decodeAny(text));
    }),
    { numRuns: 300 },
  );
});

// BIP350 "Test vectors for Bech32m", typed in from the BIP.
const BIP350_VALID = [
  'A1LQFN3A',
  'a1lqfn3a',
  'an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6',
  'abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx',
  '11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8',
  'split1checkupstagehandshakeupstreamerranterredcaperredlc445v',
  '?1v759aa',
];

const BIP350_INVALID: { text: string; note: string; code: string; message: RegExp }[] = [
  { text: '\x201xj0phk', note: 'HRP character out of range', code: 'BAD_ENCODING', message: /U\+0020 at index 0 is not printable US-ASCII/ },
  { text: '\x7f1g6xzxy', note: 'HRP character out of range', code: 'BAD_ENCODING', message: /U\+007F at index 0/ },
  { text: '\x801vctc34', note: 'HRP character out of range', code: 'BAD_ENCODING', message: /U\+0080 at index 0/ },
  {
    text: 'an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4',
    note: 'overall max length exceeded',
    code: 'BAD_ENCODING',
    message: /91 characters long; a bech32m string has at most 90/,
  },
  { text: 'qyrz8wqd2c9m', note: 'no separator character', code: 'BAD_ENCODING', message: /no separator '1'/ },
  { text: '1qyrz8wqd2c9m', note: 'empty HRP', code: 'BAD_ENCODING', message: /empty prefix/ },
  { text: 'y1b0jsk6g', note: 'invalid data character', code: 'BAD_ENCODING', message: /'b' \(U\+0062\) at index 2 is not a bech32 data character/ },
  { text: 'lt1igcx5c0', note: 'invalid data character', code: 'BAD_ENCODING', message: /'i' \(U\+0069\) at index 3/ },
  { text: 'in1muywd', note: 'too short checksum', code: 'BAD_ENCODING', message: /5 characters after the separator/ },
  { text: 'mm1crxm3i', note: 'invalid character in checksum', code: 'BAD_ENCODING', message: /'i' \(U\+0069\) at index 8/ },
  { text: 'au1s5cgom', note: 'invalid character in checksum', code: 'BAD_ENCODING', message: /'o' \(U\+006F\) at index 7/ },
  { text: 'M1VUXWEZ', note: 'checksum calculated with uppercase form of HRP', code: 'BAD_CHECKSUM', message: /bech32m checksum does not match/ },
  { text: '16plkw9', note: 'empty HRP', code: 'BAD_ENCODING', message: /empty prefix/ },
  { text: '1p2gdwpf', note: 'empty HRP', code: 'BAD_ENCODING', message: /empty prefix/ },
];

// BIP173 valid bech32 strings: their checksum is bech32, which a bech32m decoder must refuse.
const BIP173_VALID = [
  'A12UEL5L',
  'a12uel5l',
  'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
  'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
  '11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j',
  'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
  '?1ezyfcl',
];

test('BIP350 valid strings pass the checksum; as Parley values they only have a foreign prefix', () => {
  for (const text of BIP350_VALID) {
    assert.doesNotThrow(() => decodeBech32m(text, 'test'), text);
    assert.throws(() => decodeAny(text), { code: 'WRONG_PREFIX' }, text);
  }
});

test('BIP350 invalid strings fail with the code and reason matching the note', () => {
  for (const { text, note, code, message } of BIP350_INVALID) {
    assert.throws(() => decodeBech32m(text, 'test'), (error: unknown) => {
      assert.ok(error instanceof NamesError, note);
      assert.equal(error.code, code, `${note}: ${error.message}`);
      assert.match(error.message, message, note);
      return true;
    });
  }
});

test('BIP173 (bech32, not bech32m) strings are named as such', () => {
  for (const text of BIP173_VALID) {
    assert.throws(() => decodeBech32m(text, 'test'), { code: 'BAD_CHECKSUM', message: /has a bech32 \(BIP173\) checksum, not bech32m \(BIP350\)/ }, text);
  }
  const oldStyle = bech32.encode('pw', bech32.toWords(WALLET_KEY));
  assert.throws(() => decodeKey('wallet', oldStyle), { code: 'BAD_CHECKSUM', message: 'wallet key: has a bech32 (BIP173) checksum, not bech32m (BIP350); re-encode it with bech32m' });
});

test('BAD_CHECKSUM for a mistyped character', () => {
  const text = encodeKey('wallet', WALLET_KEY);
  const typo = text.slice(0, 10) + (text[10] === 'q' ? 'p' : 'q') + text.slice(11);
  assert.throws(() => decodeKey('wallet', typo), {
    code: 'BAD_CHECKSUM',
    message: 'wallet key: bech32m checksum does not match (a character is mistyped, missing, extra or swapped)',
  });
});

test('WRONG_PREFIX says what was expected and what came', () => {
  const agentText = encodeKey('agent', WALLET_KEY);
  assert.throws(() => decodeKey('wallet', agentText), {
    code: 'WRONG_PREFIX',
    message: 'wallet key: expected prefix "pw" (wallet key), got "pa" (agent key)',
  });
  assert.throws(() => decodeKeyOf(['wallet', 'agent'], encodeKey('payment', WALLET_KEY)), {
    code: 'WRONG_PREFIX',
    message: 'wallet key or agent key: expected prefix "pw" (wallet key) or "pa" (agent key), got "pp" (payment key)',
  });
  assert.throws(() => decodeAny(encodeBech32m('bc', WALLET_KEY)), { code: 'WRONG_PREFIX', message: /got "bc" \(not a Parley prefix\)/ });
});

test('BAD_LENGTH says expected 32 bytes and what came', () => {
  assert.throws(() => decodeKey('transaction', encodeBech32m('pt', new Uint8Array(33))), {
    code: 'BAD_LENGTH',
    message: 'transaction hash: expected 32 bytes, got 33 and 1 bits (53 data characters, expected 52)',
  });
  assert.throws(() => decodeKey('transaction', encodeBech32m('pt', new Uint8Array(20))), {
    code: 'BAD_LENGTH',
    message: 'transaction hash: expected 32 bytes, got 20 (32 data characters, expected 52)',
  });
  assert.throws(() => encodeKey('contract', new Uint8Array(31)), { code: 'BAD_LENGTH', message: 'contract hash: expected 32 bytes, got 31' });
});

test('BAD_ENCODING for mixed case, bad characters, a long string, and non-zero padding', () => {
  const text = encodeKey('wallet', WALLET_KEY);
  const mixed = text.slice(0, 5) + text.slice(5, 6).toUpperCase() + text.slice(6);
  assert.throws(() => decodeKey('wallet', mixed), { code: 'BAD_ENCODING', message: 'wallet key: mixed case (lower case at index 0, upper case at index 5); use one case' });
  assert.throws(() => decodeKey('wallet', `${text}\u200d`), { code: 'BAD_ENCODING', message: 'wallet key: U+200D at index 61 is not printable US-ASCII' });
  assert.throws(() => decodeKey('wallet', text + 'q'.repeat(30)), { code: 'BAD_ENCODING', message: 'wallet key: 91 characters long; a bech32m string has at most 90' });
  // 52 words whose last one has a padding bit set: a valid checksum over invalid data.
  const words = [...bech32.toWords(new Uint8Array(32)).slice(0, 51), 1];
  assert.throws(() => decodeKey('block', bech32m.encode('pb', words)), { code: 'BAD_ENCODING', message: 'block hash: the last data character has non-zero padding bits' });
  assert.throws(() => decodeAny(42 as unknown as string), { code: 'BAD_TYPE' });
});

test('BAD_PUBLIC_KEY for key kinds that are not on the curve, on decode and on encode', () => {
  const text = encodeBech32m('pw', NOT_ON_CURVE);
  assert.throws(() => decodeKey('wallet', text), { code: 'BAD_PUBLIC_KEY', message: 'wallet key: not an x coordinate on secp256k1' });
  assert.throws(() => encodeKey('payment', NOT_ON_CURVE), { code: 'BAD_PUBLIC_KEY', message: 'payment key: not an x coordinate on secp256k1' });
  // Hashes are any 32 bytes.
  assert.deepEqual(decodeKey('transaction', encodeKey('transaction', NOT_ON_CURVE)), NOT_ON_CURVE);
  assert.throws(() => encodeKey('receipt' as KeyKind, WALLET_KEY), { code: 'BAD_PARAMETER' });
});
