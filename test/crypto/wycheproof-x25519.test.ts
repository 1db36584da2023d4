import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, x25519 } from '../../names/index.ts';
import { hex, readVectorJson } from './vectors.ts';

type XdhTest = { tcId: number; comment: string; flags: string[]; public: string; private: string; shared: string; result: 'valid' | 'acceptable' | 'invalid' };
type XdhVectors = { numberOfTests: number; testGroups: { curve: string; tests: XdhTest[] }[] };

const vectors = readVectorJson<XdhVectors>('wycheproof/x25519_test.json');
const tests = vectors.testGroups.flatMap((group) => group.tests);
const ALL_ZERO = '00'.repeat(32);

/**
 * "acceptable" cases are edge cases RFC 7748 lets an implementation take or refuse:
 * - public keys on the twist, non-canonical u (≥ 2^255 − 19) and the ignored top bit: node:crypto
 *   computes them exactly as RFC 7748 §5 says, so they must match `shared`;
 * - low-order public keys, whose shared secret is all zero: x25519() refuses them with BAD_POINT,
 *   as RFC 7748 §6.1 allows ("check for the all-zero value and abort"). A peer that sends such a
 *   key contributes nothing to the secret, so a Noise handshake with it must not go on.
 * This test counts both kinds so a change in either shows up.
 */
test('Wycheproof X25519: all 518 cases', () => {
  assert.equal(tests.length, vectors.numberOfTests);
  let rejectedZero = 0;
  let matched = 0;
  for (const vector of tests) {
    const label = `tcId ${vector.tcId} (${vector.comment}; ${vector.flags.join('+')})`;
    assert.notEqual(vector.result, 'invalid', `${label}: the file has no invalid X25519 cases; a new kind needs a rule here`);
    if (vector.shared === ALL_ZERO) {
      assert.equal(vector.result, 'acceptable', label);
      assert.throws(() => x25519(hex(vector.private), hex(vector.public)), { code: 'BAD_POINT' }, label);
      rejectedZero += 1;
    } else {
      assert.equal(bytesToHex(x25519(hex(vector.private), hex(vector.public))), vector.shared, label);
      matched += 1;
    }
  }
  const valid = tests.filter((vector) => vector.result === 'valid').length;
  assert.deepEqual({ valid, matched, rejectedZero }, { valid: 264, matched: 487, rejectedZero: 31 });
});
