import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, schnorrSign, schnorrVerify, seededRng } from '../../names/index.ts';
import { fastSchnorrSign } from '../../agent/chain/fast-verify.ts';
import { keysFrom } from './helpers.ts';
import { hex, readVectorText } from '../crypto/vectors.ts';

/**
 * The load generator's signer (libsecp256k1 through tiny-secp256k1) must make BIP340 signatures:
 * the vectors' signatures byte for byte (rows with a secret key and a 32-byte message; libsecp's
 * binding signs 32-byte digests only), and the same bytes as noble's signer for the same aux_rand.
 */

const rows = readVectorText('bip340/test-vectors.csv')
  .split('\r\n')
  .filter((line) => line !== '')
  .slice(1)
  .map((line) => line.split(','))
  .map(([index = '', secretKey = '', publicKey = '', auxRand = '', message = '', signature = '']) => ({ index, secretKey, publicKey, auxRand, message, signature }))
  .filter((row) => row.secretKey !== '' && row.message.length === 64);

test('fast signing covers the BIP340 rows it can sign', () => {
  assert.ok(rows.length >= 4, `${rows.length} signing rows`);
});

for (const row of rows) {
  test(`fast signing, BIP340 row ${row.index}`, () => {
    const signature = fastSchnorrSign(hex(row.message), hex(row.secretKey), hex(row.auxRand));
    assert.equal(bytesToHex(signature), row.signature.toLowerCase());
    assert.ok(schnorrVerify(signature, hex(row.message), hex(row.publicKey)));
  });
}

test('fast signing equals noble signing for random keys, messages and aux_rand', () => {
  const rng = seededRng(340);
  for (const secretKey of keysFrom(rng, 32)) {
    const message = rng.bytes(32);
    const auxRand = rng.bytes(32);
    assert.equal(bytesToHex(fastSchnorrSign(message, secretKey, auxRand)), bytesToHex(schnorrSign(message, secretKey, auxRand)));
  }
});
