import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, schnorrVerify, seededRng, taggedHash, x25519PublicKey } from '../../names/index.ts';
import { RendezvousError, type RendezvousErrorCode } from '../../rendezvous/errors.ts';
import { BindingCache, signStaticBinding, staticBindingDigest, verifyStaticBinding } from '../../rendezvous/noise/index.ts';

function rejectsWith(code: RendezvousErrorCode, run: () => unknown): void {
  assert.throws(run, (error: unknown) => error instanceof RendezvousError && error.code === code);
}

const rng = seededRng(11);
const staticKey = x25519PublicKey(rng.bytes(32));
const otherStatic = x25519PublicKey(rng.bytes(32));
const identitySecret = rng.bytes(32);
const otherIdentitySecret = rng.bytes(32);

describe('identity binding of the Noise static key', () => {
  test('is a BIP340 signature over taggedHash("parley/noise-static", static ‖ identity)', () => {
    const binding = signStaticBinding(identitySecret, staticKey, new Uint8Array(32));
    const digest = taggedHash('parley/noise-static', staticKey, binding.identityKey);
    assert.equal(bytesToHex(staticBindingDigest(staticKey, binding.identityKey)), bytesToHex(digest));
    assert.ok(schnorrVerify(binding.signature, digest, binding.identityKey));
    const verified = verifyStaticBinding(binding, staticKey);
    assert.equal(bytesToHex(verified.staticKey), bytesToHex(staticKey));
  });

  test('a binding for another static key, a flipped signature or a swapped identity fails', () => {
    const binding = signStaticBinding(identitySecret, staticKey);
    rejectsWith('NOISE_BAD_BINDING', () => verifyStaticBinding(binding, otherStatic));
    const flipped = new Uint8Array(binding.signature);
    flipped[10]! ^= 1;
    rejectsWith('NOISE_BAD_BINDING', () => verifyStaticBinding({ ...binding, signature: flipped }, staticKey));
    const other = signStaticBinding(otherIdentitySecret, staticKey);
    rejectsWith('NOISE_BAD_BINDING', () => verifyStaticBinding({ identityKey: other.identityKey, signature: binding.signature }, staticKey));
  });

  test('a valid binding to an unexpected identity is NOISE_IDENTITY_MISMATCH', () => {
    const binding = signStaticBinding(otherIdentitySecret, staticKey);
    const expected = signStaticBinding(identitySecret, staticKey).identityKey;
    rejectsWith('NOISE_IDENTITY_MISMATCH', () => verifyStaticBinding(binding, staticKey, undefined, expected));
  });

  test('the cache skips the Schnorr verify for a pair already proven, and only for that pair', () => {
    const cache = new BindingCache(2);
    const binding = signStaticBinding(identitySecret, staticKey);
    verifyStaticBinding(binding, staticKey, cache);
    assert.equal(cache.misses, 1);
    verifyStaticBinding(binding, staticKey, cache);
    assert.equal(cache.hits, 1);
    // A pair not in the cache is always verified, whatever else the cache holds.
    rejectsWith('NOISE_BAD_BINDING', () => verifyStaticBinding(binding, otherStatic, cache));
    assert.equal(cache.size, 1);
  });

  test('the cache is bounded, least recently used out first', () => {
    const cache = new BindingCache(2);
    const keys = [1, 2, 3].map(() => x25519PublicKey(rng.bytes(32)));
    const identity = signStaticBinding(identitySecret, staticKey).identityKey;
    cache.add(keys[0]!, identity);
    cache.add(keys[1]!, identity);
    assert.ok(cache.has(keys[0]!, identity));
    cache.add(keys[2]!, identity);
    assert.equal(cache.size, 2);
    assert.ok(cache.has(keys[0]!, identity));
    assert.ok(!cache.has(keys[1]!, identity));
  });
});
