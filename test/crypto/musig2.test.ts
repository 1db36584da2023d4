import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  generateSecretKey,
  MusigContributionError,
  MusigSecretNonce,
  musigAggregateNonces,
  musigAggregatePartialSignatures,
  musigAggregatePublicKeys,
  musigGenerateNonce,
  musigIndividualPublicKey,
  musigPartialSign,
  musigPartialVerify,
  musigSortPublicKeys,
  musigStartSession,
  type MusigSession,
} from '../../names/index.ts';

/** One two-signer round up to (not including) partial signing. */
function twoSignerRound() {
  const secretKeys = [generateSecretKey(), generateSecretKey()];
  const publicKeys = secretKeys.map(musigIndividualPublicKey);
  const keyAggregate = musigAggregatePublicKeys(publicKeys);
  const message = new TextEncoder().encode('pay bob 5');
  const nonces = publicKeys.map((publicKey, index) =>
    musigGenerateNonce({ publicKey, secretKey: secretKeys[index], aggregatePublicKey: keyAggregate.aggregatePublicKey, message }),
  );
  const publicNonces = nonces.map((nonce) => nonce.publicNonce);
  const session = musigStartSession(keyAggregate, musigAggregateNonces(publicNonces), message);
  const [first, second] = nonces;
  const [firstKey, secondKey] = secretKeys;
  assert.ok(first && second && firstKey && secondKey);
  return { session, publicNonces, nonces: [first, second] as const, secretKeys: [firstKey, secondKey] as const };
}

test('a secret nonce signs once: a second partial sign throws MUSIG_NONCE_REUSED', () => {
  const { session, nonces, secretKeys } = twoSignerRound();
  assert.equal(nonces[0].secretNonce.used, false);
  musigPartialSign(session, nonces[0].secretNonce, secretKeys[0]);
  assert.equal(nonces[0].secretNonce.used, true);
  assert.throws(() => musigPartialSign(session, nonces[0].secretNonce, secretKeys[0]), { code: 'MUSIG_NONCE_REUSED' });
});

test('a failed signing attempt still consumes the nonce', () => {
  const { session, nonces, secretKeys } = twoSignerRound();
  assert.throws(() => musigPartialSign(session, nonces[0].secretNonce, secretKeys[1]), { code: 'MUSIG_NONCE_KEY_MISMATCH' });
  assert.throws(() => musigPartialSign(session, nonces[0].secretNonce, secretKeys[0]), { code: 'MUSIG_NONCE_REUSED' });
});

test('a secret nonce cannot be serialized, and importing one wipes the source bytes', () => {
  const { nonces } = twoSignerRound();
  assert.equal(JSON.stringify(nonces[0].secretNonce), '{}');
  const bytes = new Uint8Array(97).fill(7);
  bytes.set(musigIndividualPublicKey(generateSecretKey()), 64);
  MusigSecretNonce.fromBytes(bytes);
  assert.ok(bytes.every((byte) => byte === 0));
});

test('secret nonce scalars are checked when imported', () => {
  const outOfRange = new Uint8Array(97).fill(0xff);
  assert.throws(() => MusigSecretNonce.fromBytes(outOfRange), { code: 'MUSIG_BAD_SECRET_NONCE', message: /first secret nonce value/ });
  const zeroSecond = new Uint8Array(97).fill(1);
  zeroSecond.fill(0, 32, 64);
  assert.throws(() => MusigSecretNonce.fromBytes(zeroSecond), { code: 'MUSIG_BAD_SECRET_NONCE', message: /second secret nonce value/ });
  assert.throws(() => MusigSecretNonce.fromBytes(new Uint8Array(96)), { code: 'BAD_LENGTH', message: /musig2 secret nonce: expected 97 bytes/ });
});

test('a full round gives partial signatures that verify, and blames a tampered one', () => {
  const { session, nonces, secretKeys, publicNonces } = twoSignerRound();
  const partialSignatures = [musigPartialSign(session, nonces[0].secretNonce, secretKeys[0]), musigPartialSign(session, nonces[1].secretNonce, secretKeys[1])];
  assert.equal(musigPartialVerify(session, partialSignatures[0]!, publicNonces, 0), true);
  assert.equal(musigPartialVerify(session, partialSignatures[0]!, publicNonces, 1), false);
  assert.equal(musigAggregatePartialSignatures(session, partialSignatures).length, 64);
  const outOfRange = new Uint8Array(32).fill(0xff);
  assert.throws(
    () => musigAggregatePartialSignatures(session, [partialSignatures[0]!, outOfRange]),
    (error: unknown) => error instanceof MusigContributionError && error.signerIndex === 1 && error.contribution === 'partialSignature',
  );
});

test('boundary checks name the field and the expected size', () => {
  const { session, publicNonces } = twoSignerRound();
  assert.throws(() => musigSortPublicKeys([]), { code: 'BAD_LENGTH', message: 'musig2 public keys: expected at least one' });
  assert.throws(() => musigAggregatePublicKeys([new Uint8Array(32)]), { code: 'BAD_LENGTH', message: 'musig2 public keys[0]: expected 33 bytes, got 32' });
  assert.throws(() => musigAggregatePublicKeys(session.keyAggregate.publicKeys, [{ tweak: new Uint8Array(32), xOnly: 1 as unknown as boolean }]), { code: 'BAD_TYPE' });
  assert.throws(() => musigAggregateNonces([new Uint8Array(65)]), { code: 'BAD_LENGTH', message: 'musig2 public nonces[0]: expected 66 bytes, got 65' });
  assert.throws(() => musigGenerateNonce({ publicKey: Uint8Array.of(2, ...new Uint8Array(32).fill(0xff)) }), { code: 'BAD_PUBLIC_KEY' });
  assert.throws(() => musigIndividualPublicKey(new Uint8Array(32)), { code: 'BAD_SECRET_KEY' });
  assert.throws(() => musigPartialVerify(session, new Uint8Array(32), publicNonces, 2), { code: 'BAD_PARAMETER' });
  assert.throws(() => musigPartialVerify(session, new Uint8Array(32), publicNonces.slice(1), 0), { code: 'BAD_LENGTH', message: /one per signer/ });
  assert.throws(() => musigAggregatePartialSignatures(session, [new Uint8Array(32)]), { code: 'BAD_LENGTH', message: /expected 2, one per signer, got 1/ });
  const forged: MusigSession = { ...session };
  assert.throws(() => musigAggregatePartialSignatures(forged, [new Uint8Array(32), new Uint8Array(32)]), { code: 'BAD_TYPE' });
  const handBuilt = { ...session.keyAggregate, aggregatePublicKey: new Uint8Array(32) };
  assert.throws(() => musigStartSession(handBuilt, session.aggregateNonce, session.message), { code: 'BAD_TYPE' });
});

test('a public key outside the session cannot sign in it', () => {
  const { session } = twoSignerRound();
  const outsider = generateSecretKey();
  const nonce = musigGenerateNonce({ publicKey: musigIndividualPublicKey(outsider), secretKey: outsider });
  assert.throws(() => musigPartialSign(session, nonce.secretNonce, outsider), { code: 'MUSIG_SIGNER_NOT_IN_KEYS' });
});
