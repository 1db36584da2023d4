import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  bytesToHex,
  concatBytes,
  musigAggregateNonces,
  musigAggregatePublicKeys,
  musigGenerateNonce,
  musigSortPublicKeys,
} from '../../names/index.ts';
import { assertBip327Error, type Bip327Error } from './bip327.ts';
import { hex, pick, pickAll, readVectorJson } from './vectors.ts';

type KeySortVectors = { pubkeys: string[]; sorted_pubkeys: string[] };
type KeyAggVectors = {
  pubkeys: string[];
  tweaks: string[];
  valid_test_cases: { key_indices: number[]; expected: string }[];
  error_test_cases: { key_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; error: Bip327Error; comment: string }[];
};
type NonceGenVectors = {
  test_cases: {
    rand_: string;
    sk: string | null;
    pk: string;
    aggpk: string | null;
    msg: string | null;
    extra_in: string | null;
    expected_secnonce: string;
    expected_pubnonce: string;
  }[];
};
type NonceAggVectors = {
  pnonces: string[];
  valid_test_cases: { pnonce_indices: number[]; expected: string; comment?: string }[];
  error_test_cases: { pnonce_indices: number[]; error: Bip327Error; comment: string }[];
};

const lower = (value: string): string => value.toLowerCase();
const optionalHex = (value: string | null): Uint8Array | undefined => (value === null ? undefined : hex(value));

test('BIP327 key_sort', () => {
  const vectors = readVectorJson<KeySortVectors>('bip327/key_sort_vectors.json');
  const sorted = musigSortPublicKeys(vectors.pubkeys.map(hex));
  assert.deepEqual(sorted.map(bytesToHex), vectors.sorted_pubkeys.map(lower));
});

const keyAgg = readVectorJson<KeyAggVectors>('bip327/key_agg_vectors.json');

for (const [index, vector] of keyAgg.valid_test_cases.entries()) {
  test(`BIP327 key_agg valid ${index}: keys ${vector.key_indices.join(',')}`, () => {
    const keyAggregate = musigAggregatePublicKeys(pickAll(keyAgg.pubkeys, vector.key_indices).map(hex));
    assert.equal(bytesToHex(keyAggregate.aggregatePublicKey), lower(vector.expected));
  });
}

for (const [index, vector] of keyAgg.error_test_cases.entries()) {
  test(`BIP327 key_agg error ${index}: ${vector.comment}`, () => {
    const keys = pickAll(keyAgg.pubkeys, vector.key_indices).map(hex);
    const tweaks = vector.tweak_indices.map((tweakIndex, position) => ({
      tweak: hex(pick(keyAgg.tweaks, tweakIndex)),
      xOnly: pick(vector.is_xonly, position),
    }));
    assertBip327Error(() => musigAggregatePublicKeys(keys, tweaks), vector.error);
  });
}

const nonceGen = readVectorJson<NonceGenVectors>('bip327/nonce_gen_vectors.json');

for (const [index, vector] of nonceGen.test_cases.entries()) {
  test(`BIP327 nonce_gen ${index}`, () => {
    const nonces = musigGenerateNonce({
      publicKey: hex(vector.pk),
      secretKey: optionalHex(vector.sk),
      aggregatePublicKey: optionalHex(vector.aggpk),
      message: optionalHex(vector.msg),
      extraInput: optionalHex(vector.extra_in),
      random: hex(vector.rand_),
    });
    assert.equal(bytesToHex(nonces.publicNonce), lower(vector.expected_pubnonce));
    // The secret nonce cannot be read back (by design). k1, k2 < n, so k1⋅G ‖ k2⋅G equal to our
    // public nonce proves our k1, k2 equal the expected ones; the key part must match as well.
    const expectedSecret = hex(vector.expected_secnonce);
    const publicFromExpected = concatBytes(
      secp256k1.Point.BASE.multiply(toNumber(expectedSecret.subarray(0, 32))).toBytes(true),
      secp256k1.Point.BASE.multiply(toNumber(expectedSecret.subarray(32, 64))).toBytes(true),
    );
    assert.equal(bytesToHex(publicFromExpected), bytesToHex(nonces.publicNonce));
    assert.equal(bytesToHex(expectedSecret.subarray(64)), lower(vector.pk));
    assert.equal(nonces.secretNonce.used, false);
  });
}

const nonceAgg = readVectorJson<NonceAggVectors>('bip327/nonce_agg_vectors.json');

for (const [index, vector] of nonceAgg.valid_test_cases.entries()) {
  test(`BIP327 nonce_agg valid ${index}${vector.comment ? `: ${vector.comment}` : ''}`, () => {
    const aggregateNonce = musigAggregateNonces(pickAll(nonceAgg.pnonces, vector.pnonce_indices).map(hex));
    assert.equal(bytesToHex(aggregateNonce), lower(vector.expected));
  });
}

for (const [index, vector] of nonceAgg.error_test_cases.entries()) {
  test(`BIP327 nonce_agg error ${index}: ${vector.comment}`, () => {
    const nonces = pickAll(nonceAgg.pnonces, vector.pnonce_indices).map(hex);
    assertBip327Error(() => musigAggregateNonces(nonces), vector.error);
  });
}

function toNumber(bytes: Uint8Array): bigint {
  return BigInt('0x' + bytesToHex(bytes));
}
