import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, schnorrPublicKey, schnorrSign, schnorrVerify } from '../../names/index.ts';
import { hex, readVectorText } from './vectors.ts';

type Bip340Row = {
  index: string;
  secretKey: string;
  publicKey: string;
  auxRand: string;
  message: string;
  signature: string;
  valid: boolean;
  comment: string;
};

/** The CSV has CRLF line endings; comments may hold commas, so they take the rest of the line. */
function readRows(): Bip340Row[] {
  const lines = readVectorText('bip340/test-vectors.csv').split('\r\n').filter((line) => line !== '');
  return lines.slice(1).map((line) => {
    const [index = '', secretKey = '', publicKey = '', auxRand = '', message = '', signature = '', result = '', ...comment] = line.split(',');
    assert.ok(result === 'TRUE' || result === 'FALSE', `row ${index}: verification result ${result}`);
    return { index, secretKey, publicKey, auxRand, message, signature, valid: result === 'TRUE', comment: comment.join(',') };
  });
}

const rows = readRows();

test('BIP340 vector file has all 19 rows', () => {
  assert.equal(rows.length, 19);
});

for (const row of rows) {
  test(`BIP340 row ${row.index}: ${row.comment || (row.valid ? 'valid' : 'invalid')}`, () => {
    if (row.secretKey !== '') {
      const secretKey = hex(row.secretKey);
      assert.equal(bytesToHex(schnorrPublicKey(secretKey)), row.publicKey.toLowerCase());
      const signature = schnorrSign(hex(row.message), secretKey, hex(row.auxRand));
      assert.equal(bytesToHex(signature), row.signature.toLowerCase());
    }
    assert.equal(schnorrVerify(hex(row.signature), hex(row.message), hex(row.publicKey)), row.valid);
  });
}
