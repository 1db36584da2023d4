import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, hexToBytes, x25519, x25519GenerateKeyPair, x25519PublicKey } from '../../names/index.ts';

/** Key pairs and public keys (names/crypto/x25519.ts), against RFC 7748 §6.1. */
const rfc7748 = {
  alicePrivate: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPrivate: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  bobPublic: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

describe('x25519 key pairs', () => {
  test('RFC 7748 §6.1: public keys from private keys, and the shared secret', () => {
    assert.equal(bytesToHex(x25519PublicKey(hexToBytes(rfc7748.alicePrivate))), rfc7748.alicePublic);
    assert.equal(bytesToHex(x25519PublicKey(hexToBytes(rfc7748.bobPrivate))), rfc7748.bobPublic);
    assert.equal(bytesToHex(x25519(hexToBytes(rfc7748.alicePrivate), hexToBytes(rfc7748.bobPublic))), rfc7748.shared);
  });

  test('generated pairs are consistent: the public half is the secret’s, and both sides agree', () => {
    for (let index = 0; index < 50; index++) {
      const [a, b] = [x25519GenerateKeyPair(), x25519GenerateKeyPair()];
      assert.equal(bytesToHex(x25519PublicKey(new Uint8Array(a.secretKey))), bytesToHex(a.publicKey), 'public key of a fresh copy of the secret');
      assert.equal(bytesToHex(x25519(a.secretKey, b.publicKey)), bytesToHex(x25519(b.secretKey, a.publicKey)), 'DH agrees');
    }
  });
});
