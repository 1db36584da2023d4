import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  chachaOpen,
  chachaSeal,
  musigAggregateNonces,
  musigAggregatePartialSignatures,
  musigAggregatePublicKeys,
  musigGenerateNonce,
  musigIndividualPublicKey,
  musigPartialSign,
  musigPartialVerify,
  musigSortPublicKeys,
  musigStartSession,
  schnorrPublicKey,
  schnorrSign,
  schnorrVerify,
  xchachaOpen,
  xchachaSeal,
} from '../../names/index.ts';

const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A secp256k1 secret key in 1..n-1, drawn by fast-check so a failure replays from its seed. */
const secretKeyArbitrary = fc.bigInt(1n, CURVE_ORDER - 1n).map((scalar) => Uint8Array.from(Buffer.from(scalar.toString(16).padStart(64, '0'), 'hex')));
const messageArbitrary = fc.uint8Array({ minLength: 0, maxLength: 200 });

function flipBit(bytes: Uint8Array, bitIndex: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const byteIndex = Math.floor(bitIndex / 8) % copy.length;
  copy[byteIndex] = (copy[byteIndex] ?? 0) ^ (1 << (bitIndex % 8));
  return copy;
}

test('BIP340: sign/verify round trip; one flipped bit in signature, message or key fails', () => {
  fc.assert(
    fc.property(secretKeyArbitrary, messageArbitrary, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(), (secretKey, message, auxRand, bit) => {
      const publicKey = schnorrPublicKey(secretKey);
      const signature = schnorrSign(message, secretKey, auxRand);
      assert.equal(schnorrVerify(signature, message, publicKey), true);
      assert.equal(schnorrVerify(flipBit(signature, bit), message, publicKey), false);
      assert.equal(schnorrVerify(signature, message, flipBit(publicKey, bit)), false);
      if (message.length > 0) assert.equal(schnorrVerify(signature, flipBit(message, bit), publicKey), false);
    }),
    { numRuns: 20 },
  );
});

const aeads = [
  { name: 'ChaCha20-Poly1305', seal: chachaSeal, open: chachaOpen, nonceBytes: 12 },
  { name: 'XChaCha20-Poly1305', seal: xchachaSeal, open: xchachaOpen, nonceBytes: 24 },
];

for (const { name, seal, open, nonceBytes } of aeads) {
  test(`${name}: open(seal(x)) == x; one flipped bit in the sealed message or associated data fails`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: nonceBytes, maxLength: nonceBytes }),
        fc.uint8Array({ maxLength: 1200 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(),
        (key, nonce, plaintext, associatedData, bit) => {
          const sealed = seal(key, nonce, plaintext, associatedData);
          assert.deepEqual(open(key, nonce, sealed, associatedData), plaintext);
          assert.throws(() => open(key, nonce, flipBit(sealed, bit), associatedData), { code: 'AUTH_FAILED' });
          if (associatedData.length > 0) {
            assert.throws(() => open(key, nonce, sealed, flipBit(associatedData, bit)), { code: 'AUTH_FAILED' });
          }
        },
      ),
      { numRuns: 100 },
    );
  });
}

/** One complete MuSig2 session through the wrappers; returns whether BIP340 accepts the result. */
function musigSession(secretKeys: Uint8Array[], message: Uint8Array): boolean {
  const signers = secretKeys.map((secretKey) => ({ secretKey, publicKey: musigIndividualPublicKey(secretKey) }));
  const sortedKeys = musigSortPublicKeys(signers.map((signer) => signer.publicKey));
  // BIP327 KeySort fixes the signing order, so signer i is whoever holds sortedKeys[i].
  const ordered = sortedKeys.map((key) => signers.find((signer) => signer.publicKey === key)!);
  const keyAggregate = musigAggregatePublicKeys(sortedKeys);
  const nonces = ordered.map(({ publicKey, secretKey }) =>
    musigGenerateNonce({ publicKey, secretKey, aggregatePublicKey: keyAggregate.aggregatePublicKey, message }),
  );
  const publicNonces = nonces.map((nonce) => nonce.publicNonce);
  const session = musigStartSession(keyAggregate, musigAggregateNonces(publicNonces), message);
  const partialSignatures = ordered.map(({ secretKey }, index) => musigPartialSign(session, nonces[index]!.secretNonce, secretKey));
  partialSignatures.forEach((partialSignature, index) => assert.equal(musigPartialVerify(session, partialSignature, publicNonces, index), true));
  const signature = musigAggregatePartialSignatures(session, partialSignatures);
  return schnorrVerify(signature, message, keyAggregate.aggregatePublicKey);
}

for (const signerCount of [2, 3]) {
  test(`MuSig2 ${signerCount}-of-${signerCount}: the aggregate signature verifies under the aggregate key`, () => {
    const keys = fc.uniqueArray(secretKeyArbitrary, { minLength: signerCount, maxLength: signerCount, selector: (key) => Buffer.from(key).toString('hex') });
    fc.assert(
      fc.property(keys, messageArbitrary, (secretKeys, message) => {
        assert.equal(musigSession(secretKeys, message), true);
      }),
      { numRuns: 5 },
    );
  });
}
