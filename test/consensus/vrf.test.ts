import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '../../names/index.ts';
import { vrfOutput, vrfProve, vrfVerify } from '../../agent/consensus/index.ts';
import { fixture, hash } from './helpers.ts';

/**
 * The secp256k1 VRF (vrf.ts): complete (a proof verifies), unique (one proof per key and input,
 * so nothing to grind), and sound against the tampering a grinder could try. No registered
 * vectors exist for this suite; these are its properties.
 */

const f = fixture([1n, 1n, 1n], 11);

test('prove then verify gives the output; proving is deterministic', () => {
  for (let index = 0; index < 3; index++) {
    const input = hash(`input ${index}`);
    const proof = vrfProve(f.secretsInOrder[index]!, input);
    assert.equal(proof.length, 81);
    const output = vrfVerify(f.keys[index]!, input, proof);
    assert.ok(output !== null);
    assert.equal(bytesToHex(output), bytesToHex(vrfOutput(proof)));
    assert.equal(bytesToHex(vrfProve(f.secretsInOrder[index]!, input)), bytesToHex(proof));
  }
});

test('outputs differ across keys and inputs', () => {
  const outputs = new Set<string>();
  for (let index = 0; index < 3; index++) {
    for (const label of ['a', 'b']) outputs.add(bytesToHex(vrfOutput(vrfProve(f.secretsInOrder[index]!, hash(label)))));
  }
  assert.equal(outputs.size, 6);
});

test('tampered proofs, other inputs and other keys are rejected (null, never a throw)', () => {
  const input = hash('beacon');
  const proof = vrfProve(f.secretsInOrder[0]!, input);
  for (const position of [0, 1, 20, 33, 40, 48, 49, 60, 80]) {
    const tampered = proof.slice();
    tampered[position]! ^= 0x01;
    assert.equal(vrfVerify(f.keys[0]!, input, tampered), null, `byte ${position}`);
  }
  assert.equal(vrfVerify(f.keys[0]!, hash('other'), proof), null);
  assert.equal(vrfVerify(f.keys[1]!, input, proof), null);
  assert.equal(vrfVerify(f.keys[0]!, input, proof.subarray(0, 80)), null);
  assert.equal(vrfVerify(new Uint8Array(32), input, proof), null);
  assert.equal(vrfVerify(f.keys[0]!, input, new Uint8Array(81)), null);
  const maxScalar = proof.slice();
  maxScalar.fill(0xff, 49);
  assert.equal(vrfVerify(f.keys[0]!, input, maxScalar), null);
});
