import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, concatBytes, hkdfSha256, seededRng, x25519PublicKey } from '../../names/index.ts';
import { RendezvousError, type RendezvousErrorCode } from '../../rendezvous/errors.ts';
import {
  CipherState,
  countingDh,
  HandshakeState,
  noiseBlake2s,
  noiseHkdf,
  noiseSha256,
  parseProtocolName,
  rngX25519Dh,
  x25519Dh,
  type NoiseKeyPair,
} from '../../rendezvous/noise/index.ts';

function rejectsWith(code: RendezvousErrorCode, run: () => unknown): void {
  assert.throws(run, (error: unknown) => error instanceof RendezvousError && error.code === code);
}

const rng = seededRng(7);
function keyPair(): NoiseKeyPair {
  const secretKey = rng.bytes(32);
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

describe('hash, HMAC and HKDF (Noise §4.3)', () => {
  test('HMAC-BLAKE2s written from RFC 2104 agrees with OpenSSL for keys shorter and longer than a block', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 200 }), (key, data) => {
        const expected = createHmac('blake2s256', key).update(data).digest('hex');
        assert.equal(bytesToHex(noiseBlake2s.hmac(key, data)), expected);
      }),
      { numRuns: 200 },
    );
  });

  test('Noise HKDF over SHA256 is RFC 5869 HKDF with the chaining key as salt and an empty info', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), (chainingKey, inputKeyMaterial) => {
        const ours = concatBytes(...noiseHkdf(noiseSha256, chainingKey, inputKeyMaterial, 3));
        assert.equal(bytesToHex(ours), bytesToHex(hkdfSha256(inputKeyMaterial, chainingKey, new Uint8Array(0), 96)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('CipherState (Noise §5.1)', () => {
  test('nonce is 4 zero bytes then the counter little-endian; a bad tag does not advance n', () => {
    const key = new Uint8Array(32).fill(9);
    const sender = new CipherState(key);
    const receiver = new CipherState(key);
    sender.setNonce(2 ** 40 + 5);
    receiver.setNonce(2 ** 40 + 5);
    const sealed = sender.encryptWithAd(new Uint8Array(0), new Uint8Array([1, 2, 3]));
    assert.equal(bytesToHex(sealed), bytesToHex(new CipherState(key).encryptAt(2 ** 40 + 5, new Uint8Array(0), new Uint8Array([1, 2, 3]))));
    const flipped = new Uint8Array(sealed);
    flipped[0]! ^= 1;
    rejectsWith('NOISE_DECRYPT_FAILED', () => receiver.decryptWithAd(new Uint8Array(0), flipped));
    assert.equal(receiver.nonce, 2 ** 40 + 5);
    assert.deepEqual(receiver.decryptWithAd(new Uint8Array(0), sealed), new Uint8Array([1, 2, 3]));
    assert.equal(receiver.nonce, 2 ** 40 + 6);
  });

  test('without a key, plaintext passes through; the last nonce is refused', () => {
    const empty = new CipherState();
    assert.deepEqual(empty.encryptWithAd(new Uint8Array(1), new Uint8Array([7])), new Uint8Array([7]));
    const cipher = new CipherState(new Uint8Array(32));
    rejectsWith('NOISE_NONCE_EXHAUSTED', () => cipher.setNonce(Number.MAX_SAFE_INTEGER));
  });

  test('rekey (§4.2) changes the key the same way on both sides', () => {
    const a = new CipherState(new Uint8Array(32).fill(1));
    const b = new CipherState(new Uint8Array(32).fill(1));
    a.rekey();
    b.rekey();
    const sealed = a.encryptAt(0, new Uint8Array(0), new Uint8Array([5]));
    assert.deepEqual(b.decryptAt(0, new Uint8Array(0), sealed), new Uint8Array([5]));
    rejectsWith('NOISE_DECRYPT_FAILED', () => new CipherState(new Uint8Array(32).fill(1)).decryptAt(0, new Uint8Array(0), sealed));
  });
});

describe('HandshakeState (Noise §5.3)', () => {
  const responderStatic = keyPair();
  const initiatorStatic = keyPair();
  const ik = (initiator: boolean) =>
    new HandshakeState({
      protocol: 'Noise_IK_25519_ChaChaPoly_SHA256',
      initiator,
      prologue: new Uint8Array([1]),
      localStatic: initiator ? initiatorStatic : responderStatic,
      remoteStatic: initiator ? responderStatic.publicKey : undefined,
      dh: rngX25519Dh(rng),
    });

  test('a tampered message fails and leaves the reader able to read the genuine one', () => {
    const initiator = ik(true);
    const responder = ik(false);
    const message = initiator.writeMessage(new Uint8Array([42]));
    for (let index = 0; index < message.length; index += 17) {
      const tampered = new Uint8Array(message);
      tampered[index]! ^= 0x80;
      assert.throws(() => responder.readMessage(tampered), RendezvousError);
    }
    rejectsWith('NOISE_BAD_MESSAGE_LENGTH', () => responder.readMessage(message.subarray(0, 40)));
    assert.deepEqual(responder.readMessage(message), new Uint8Array([42]));
    initiator.readMessage(responder.writeMessage(new Uint8Array(0)));
    assert.equal(bytesToHex(initiator.handshakeHash), bytesToHex(responder.handshakeHash));
  });

  test('turns are enforced and split waits for the end of the handshake', () => {
    const initiator = ik(true);
    rejectsWith('NOISE_OUT_OF_TURN', () => initiator.readMessage(new Uint8Array(48)));
    rejectsWith('NOISE_OUT_OF_TURN', () => initiator.split());
    initiator.writeMessage(new Uint8Array(0));
    rejectsWith('NOISE_OUT_OF_TURN', () => initiator.writeMessage(new Uint8Array(0)));
  });

  test('a low-order ephemeral is refused with NOISE_BAD_POINT', () => {
    const responder = ik(false);
    // u = 0 is a point of small order: X25519 with it is all zero (RFC 7748 §6.1).
    const forged = concatBytes(new Uint8Array(32), new Uint8Array(48 + 16));
    rejectsWith('NOISE_BAD_POINT', () => responder.readMessage(forged));
  });

  test('missing keys and unsupported names are typed errors', () => {
    rejectsWith('NOISE_MISSING_KEY', () => new HandshakeState({ protocol: 'Noise_IK_25519_ChaChaPoly_SHA256', initiator: true, localStatic: initiatorStatic, dh: x25519Dh }));
    for (const name of ['Noise_IK_448_ChaChaPoly_SHA256', 'Noise_IK_25519_AESGCM_SHA256', 'Noise_XXpsk3_25519_ChaChaPoly_SHA256', 'Noise_ZZ_25519_ChaChaPoly_SHA256']) {
      rejectsWith('NOISE_UNSUPPORTED_PROTOCOL', () => parseProtocolName(name));
    }
  });

  test('IK costs the responder four DH and one key generation', () => {
    const counter = { dh: 0, generateKeyPair: 0 };
    const initiator = ik(true);
    const responder = new HandshakeState({
      protocol: 'Noise_IK_25519_ChaChaPoly_SHA256',
      initiator: false,
      prologue: new Uint8Array([1]),
      localStatic: responderStatic,
      dh: countingDh(x25519Dh, counter),
    });
    responder.readMessage(initiator.writeMessage(new Uint8Array(0)));
    initiator.readMessage(responder.writeMessage(new Uint8Array(0)));
    assert.deepEqual(counter, { dh: 4, generateKeyPair: 1 });
  });
});
