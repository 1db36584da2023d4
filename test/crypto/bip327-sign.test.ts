import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bytesToHex,
  MusigSecretNonce,
  musigAggregateNonces,
  musigAggregatePartialSignatures,
  musigAggregatePublicKeys,
  musigDeterministicSign,
  musigPartialSign,
  musigPartialVerify,
  musigStartSession,
  schnorrVerify,
  type MusigTweak,
} from '../../names/index.ts';
import { assertBip327Error, type Bip327Error } from './bip327.ts';
import { hex, pick, pickAll, readVectorJson } from './vectors.ts';

type SignVerifyVectors = {
  sk: string;
  pubkeys: string[];
  secnonces: string[];
  pnonces: string[];
  aggnonces: string[];
  msgs: string[];
  valid_test_cases: { key_indices: number[]; nonce_indices: number[]; aggnonce_index: number; msg_index: number; signer_index: number; expected: string }[];
  sign_error_test_cases: { key_indices: number[]; aggnonce_index: number; msg_index: number; secnonce_index: number; error: Bip327Error; comment: string }[];
  verify_fail_test_cases: { sig: string; key_indices: number[]; nonce_indices: number[]; msg_index: number; signer_index: number; comment: string }[];
  verify_error_test_cases: { sig: string; key_indices: number[]; nonce_indices: number[]; msg_index: number; signer_index: number; error: Bip327Error; comment: string }[];
};
type TweakVectors = {
  sk: string;
  pubkeys: string[];
  secnonce: string;
  pnonces: string[];
  aggnonce: string;
  tweaks: string[];
  msg: string;
  valid_test_cases: { key_indices: number[]; nonce_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; signer_index: number; expected: string; comment: string }[];
  error_test_cases: { key_indices: number[]; nonce_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; signer_index: number; error: Bip327Error; comment: string }[];
};
type SigAggCase = { aggnonce: string; nonce_indices: number[]; key_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; psig_indices: number[] };
type SigAggVectors = {
  pubkeys: string[];
  pnonces: string[];
  tweaks: string[];
  psigs: string[];
  msg: string;
  valid_test_cases: (SigAggCase & { expected: string })[];
  error_test_cases: (SigAggCase & { error: Bip327Error; comment: string })[];
};
type DetSignCase = { rand: string | null; aggothernonce: string; key_indices: number[]; tweaks: string[]; is_xonly: boolean[]; msg_index: number; signer_index: number };
type DetSignVectors = {
  sk: string;
  pubkeys: string[];
  msgs: string[];
  valid_test_cases: (DetSignCase & { expected: [string, string]; comment?: string })[];
  error_test_cases: (DetSignCase & { error: Bip327Error; comment: string })[];
};

const lower = (value: string): string => value.toLowerCase();

function tweaksOf(tweakTable: readonly string[], tweakIndices: readonly number[], xOnly: readonly boolean[]): MusigTweak[] {
  return tweakIndices.map((tweakIndex, position) => ({ tweak: hex(pick(tweakTable, tweakIndex)), xOnly: pick(xOnly, position) }));
}

/** BIP327 PartialSigVerify(psig, pubnonces, pks, tweaks, m, i) through the wrapper's steps. */
function partialSigVerify(partialSignature: string, publicNonces: string[], publicKeys: string[], tweaks: MusigTweak[], message: string, signerIndex: number): boolean {
  const keyAggregate = musigAggregatePublicKeys(publicKeys.map(hex), tweaks);
  const nonces = publicNonces.map(hex);
  const session = musigStartSession(keyAggregate, musigAggregateNonces(nonces), hex(message));
  return musigPartialVerify(session, hex(partialSignature), nonces, signerIndex);
}

const signVerify = readVectorJson<SignVerifyVectors>('bip327/sign_verify_vectors.json');
const secretKey = hex(signVerify.sk);

for (const [index, vector] of signVerify.valid_test_cases.entries()) {
  test(`BIP327 sign_verify valid ${index}`, () => {
    const keys = pickAll(signVerify.pubkeys, vector.key_indices);
    const nonces = pickAll(signVerify.pnonces, vector.nonce_indices);
    const aggregateNonce = pick(signVerify.aggnonces, vector.aggnonce_index);
    const message = pick(signVerify.msgs, vector.msg_index);
    assert.equal(bytesToHex(musigAggregateNonces(nonces.map(hex))), lower(aggregateNonce));
    const session = musigStartSession(musigAggregatePublicKeys(keys.map(hex)), hex(aggregateNonce), hex(message));
    const secretNonce = MusigSecretNonce.fromBytes(hex(pick(signVerify.secnonces, 0)));
    const partialSignature = musigPartialSign(session, secretNonce, secretKey);
    assert.equal(bytesToHex(partialSignature), lower(vector.expected));
    assert.equal(secretNonce.used, true);
    assert.equal(partialSigVerify(vector.expected, nonces, keys, [], message, vector.signer_index), true);
  });
}

for (const [index, vector] of signVerify.sign_error_test_cases.entries()) {
  test(`BIP327 sign_verify sign error ${index}: ${vector.comment}`, () => {
    assertBip327Error(() => {
      const keyAggregate = musigAggregatePublicKeys(pickAll(signVerify.pubkeys, vector.key_indices).map(hex));
      const aggregateNonce = hex(pick(signVerify.aggnonces, vector.aggnonce_index));
      const session = musigStartSession(keyAggregate, aggregateNonce, hex(pick(signVerify.msgs, vector.msg_index)));
      const secretNonce = MusigSecretNonce.fromBytes(hex(pick(signVerify.secnonces, vector.secnonce_index)));
      return musigPartialSign(session, secretNonce, secretKey);
    }, vector.error);
  });
}

for (const [index, vector] of signVerify.verify_fail_test_cases.entries()) {
  test(`BIP327 sign_verify verify fail ${index}: ${vector.comment}`, () => {
    const keys = pickAll(signVerify.pubkeys, vector.key_indices);
    const nonces = pickAll(signVerify.pnonces, vector.nonce_indices);
    const message = pick(signVerify.msgs, vector.msg_index);
    assert.equal(partialSigVerify(vector.sig, nonces, keys, [], message, vector.signer_index), false);
  });
}

for (const [index, vector] of signVerify.verify_error_test_cases.entries()) {
  test(`BIP327 sign_verify verify error ${index}: ${vector.comment}`, () => {
    const keys = pickAll(signVerify.pubkeys, vector.key_indices);
    const nonces = pickAll(signVerify.pnonces, vector.nonce_indices);
    const message = pick(signVerify.msgs, vector.msg_index);
    assertBip327Error(() => partialSigVerify(vector.sig, nonces, keys, [], message, vector.signer_index), vector.error);
  });
}

test('BIP327 sign_verify verify error 0 through musigPartialVerify itself (bad nonce in an existing session)', () => {
  const vector = pick(signVerify.verify_error_test_cases, 0);
  const validCase = pick(signVerify.valid_test_cases, 0);
  const keyAggregate = musigAggregatePublicKeys(pickAll(signVerify.pubkeys, validCase.key_indices).map(hex));
  const session = musigStartSession(keyAggregate, hex(pick(signVerify.aggnonces, 0)), hex(pick(signVerify.msgs, 0)));
  const nonces = pickAll(signVerify.pnonces, vector.nonce_indices).map(hex);
  assertBip327Error(() => musigPartialVerify(session, hex(vector.sig), nonces, vector.signer_index), vector.error);
});

const tweak = readVectorJson<TweakVectors>('bip327/tweak_vectors.json');

for (const [index, vector] of tweak.valid_test_cases.entries()) {
  test(`BIP327 tweak valid ${index}: ${vector.comment}`, () => {
    const keys = pickAll(tweak.pubkeys, vector.key_indices);
    const nonces = pickAll(tweak.pnonces, vector.nonce_indices);
    const tweaks = tweaksOf(tweak.tweaks, vector.tweak_indices, vector.is_xonly);
    assert.equal(bytesToHex(musigAggregateNonces(nonces.map(hex))), lower(tweak.aggnonce));
    const session = musigStartSession(musigAggregatePublicKeys(keys.map(hex), tweaks), hex(tweak.aggnonce), hex(tweak.msg));
    const partialSignature = musigPartialSign(session, MusigSecretNonce.fromBytes(hex(tweak.secnonce)), hex(tweak.sk));
    assert.equal(bytesToHex(partialSignature), lower(vector.expected));
    assert.equal(partialSigVerify(vector.expected, nonces, keys, tweaks, tweak.msg, vector.signer_index), true);
  });
}

for (const [index, vector] of tweak.error_test_cases.entries()) {
  test(`BIP327 tweak error ${index}: ${vector.comment}`, () => {
    const keys = pickAll(tweak.pubkeys, vector.key_indices).map(hex);
    const tweaks = tweaksOf(tweak.tweaks, vector.tweak_indices, vector.is_xonly);
    assertBip327Error(() => musigAggregatePublicKeys(keys, tweaks), vector.error);
  });
}

const sigAgg = readVectorJson<SigAggVectors>('bip327/sig_agg_vectors.json');

function sigAggSession(vector: SigAggCase) {
  const keyAggregate = musigAggregatePublicKeys(pickAll(sigAgg.pubkeys, vector.key_indices).map(hex), tweaksOf(sigAgg.tweaks, vector.tweak_indices, vector.is_xonly));
  assert.equal(bytesToHex(musigAggregateNonces(pickAll(sigAgg.pnonces, vector.nonce_indices).map(hex))), lower(vector.aggnonce));
  return musigStartSession(keyAggregate, hex(vector.aggnonce), hex(sigAgg.msg));
}

for (const [index, vector] of sigAgg.valid_test_cases.entries()) {
  test(`BIP327 sig_agg valid ${index}`, () => {
    const session = sigAggSession(vector);
    const signature = musigAggregatePartialSignatures(session, pickAll(sigAgg.psigs, vector.psig_indices).map(hex));
    assert.equal(bytesToHex(signature), lower(vector.expected));
    assert.equal(schnorrVerify(signature, hex(sigAgg.msg), session.keyAggregate.aggregatePublicKey), true);
  });
}

for (const [index, vector] of sigAgg.error_test_cases.entries()) {
  test(`BIP327 sig_agg error ${index}: ${vector.comment}`, () => {
    const session = sigAggSession(vector);
    const partialSignatures = pickAll(sigAgg.psigs, vector.psig_indices).map(hex);
    assertBip327Error(() => musigAggregatePartialSignatures(session, partialSignatures), vector.error);
  });
}

const detSign = readVectorJson<DetSignVectors>('bip327/det_sign_vectors.json');

function deterministicSign(vector: DetSignCase) {
  const tweaks = vector.tweaks.map((tweakHex, position) => ({ tweak: hex(tweakHex), xOnly: pick(vector.is_xonly, position) }));
  return musigDeterministicSign({
    secretKey: hex(detSign.sk),
    aggregateOtherNonce: hex(vector.aggothernonce),
    keyAggregate: musigAggregatePublicKeys(pickAll(detSign.pubkeys, vector.key_indices).map(hex), tweaks),
    message: hex(pick(detSign.msgs, vector.msg_index)),
    random: vector.rand === null ? undefined : hex(vector.rand),
  });
}

for (const [index, vector] of detSign.valid_test_cases.entries()) {
  test(`BIP327 det_sign valid ${index}${vector.comment ? `: ${vector.comment}` : ''}`, () => {
    const { publicNonce, partialSignature } = deterministicSign(vector);
    assert.deepEqual([bytesToHex(publicNonce), bytesToHex(partialSignature)], vector.expected.map(lower));
  });
}

for (const [index, vector] of detSign.error_test_cases.entries()) {
  test(`BIP327 det_sign error ${index}: ${vector.comment}`, () => {
    assertBip327Error(() => deterministicSign(vector), vector.error);
  });
}
