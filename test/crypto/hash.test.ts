import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schnorr } from '@noble/curves/secp256k1.js';
import { blake2s, bytesToHex, hkdfSha256, hmacSha256, sha256, taggedHash } from '../../names/index.ts';
import { hex } from './vectors.ts';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

test('SHA-256 (FIPS 180-4 examples), and parts hash as their concatenation', () => {
  assert.equal(bytesToHex(sha256(text('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(bytesToHex(sha256()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(bytesToHex(sha256(text('a'), text(''), text('bc'))), bytesToHex(sha256(text('abc'))));
});

test('BIP340 tagged hash matches @noble/curves', () => {
  const message = text('parley');
  assert.equal(bytesToHex(taggedHash('BIP0340/challenge', message)), bytesToHex(schnorr.utils.taggedHash('BIP0340/challenge', message)));
});

test('HMAC-SHA256 (RFC 4231 test cases 1 and 2)', () => {
  assert.equal(
    bytesToHex(hmacSha256(new Uint8Array(20).fill(0x0b), text('Hi There'))),
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  );
  assert.equal(
    bytesToHex(hmacSha256(text('Jefe'), text('what do ya want '), text('for nothing?'))),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
});

test('HKDF-SHA256 (RFC 5869 test case 1) and its length bounds', () => {
  const inputKey = new Uint8Array(22).fill(0x0b);
  const salt = hex('000102030405060708090a0b0c');
  const info = hex('f0f1f2f3f4f5f6f7f8f9');
  assert.equal(
    bytesToHex(hkdfSha256(inputKey, salt, info, 42)),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  );
  assert.throws(() => hkdfSha256(inputKey, salt, info, 0), { code: 'BAD_PARAMETER' });
  assert.throws(() => hkdfSha256(inputKey, salt, info, 255 * 32 + 1), { code: 'BAD_PARAMETER' });
  assert.equal(hkdfSha256(inputKey, salt, info, 255 * 32).length, 255 * 32);
});

test('BLAKE2s-256 of "abc" (RFC 7693 Appendix B)', () => {
  assert.equal(bytesToHex(blake2s(text('abc'))), '508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982');
  assert.equal(bytesToHex(blake2s(text('a'), text('bc'))), bytesToHex(blake2s(text('abc'))));
});
