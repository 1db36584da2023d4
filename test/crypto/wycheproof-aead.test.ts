import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, chachaOpen, chachaSeal, concatBytes, xchachaOpen, xchachaSeal } from '../../names/index.ts';
import { hex, readVectorJson } from './vectors.ts';

type AeadTest = { tcId: number; comment: string; flags: string[]; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: 'valid' | 'invalid' };
type AeadVectors = { numberOfTests: number; testGroups: { ivSize: number; tests: AeadTest[] }[] };
type Seal = (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array) => Uint8Array;
type Open = (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array) => Uint8Array;

/**
 * Every Wycheproof case, in full. Valid cases must seal to exactly ct ‖ tag and open again.
 * Invalid ones are either a wrong nonce size, which our own length check rejects (BAD_LENGTH)
 * before any crypto runs, or a modified tag, which must fail authentication (AUTH_FAILED).
 */
function checkAll(file: string, seal: Seal, open: Open): void {
  const vectors = readVectorJson<AeadVectors>(`wycheproof/${file}`);
  const tests = vectors.testGroups.flatMap((group) => group.tests);
  assert.equal(tests.length, vectors.numberOfTests);
  const seen = new Map<string, number>();
  for (const vector of tests) {
    const label = `tcId ${vector.tcId} (${vector.comment})`;
    const [key, nonce, associatedData, plaintext] = [hex(vector.key), hex(vector.iv), hex(vector.aad), hex(vector.msg)];
    const sealed = concatBytes(hex(vector.ct), hex(vector.tag));
    const kind = `${vector.result} ${vector.flags.join('+')}`;
    seen.set(kind, (seen.get(kind) ?? 0) + 1);
    if (vector.result === 'valid') {
      assert.equal(bytesToHex(seal(key, nonce, plaintext, associatedData)), bytesToHex(sealed), label);
      assert.equal(bytesToHex(open(key, nonce, sealed, associatedData)), vector.msg, label);
    } else if (vector.flags.includes('InvalidNonceSize')) {
      assert.throws(() => seal(key, nonce, plaintext, associatedData), { code: 'BAD_LENGTH' }, label);
      assert.throws(() => open(key, nonce, sealed, associatedData), { code: 'BAD_LENGTH' }, label);
    } else {
      assert.deepEqual(vector.flags, ['ModifiedTag'], `${label}: an invalid case of a kind this test does not know`);
      assert.throws(() => open(key, nonce, sealed, associatedData), { code: 'AUTH_FAILED' }, label);
    }
  }
  // Every kind of case was met, so a vector file that lost a group would show here.
  for (const kind of ['valid Pseudorandom', 'invalid ModifiedTag', 'invalid InvalidNonceSize']) {
    assert.ok((seen.get(kind) ?? 0) > 0, `${file}: no "${kind}" case`);
  }
}

test('Wycheproof ChaCha20-Poly1305 (RFC 8439): all 325 cases', () => {
  checkAll('chacha20_poly1305_test.json', chachaSeal, chachaOpen);
});

test('Wycheproof XChaCha20-Poly1305: all 315 cases', () => {
  checkAll('xchacha20_poly1305_test.json', xchachaSeal, xchachaOpen);
});
