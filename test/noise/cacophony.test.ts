import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { bytesToHex, hexToBytes, x25519PublicKey } from '../../names/index.ts';
import { HandshakeState, handshakePatterns, x25519Dh, type NoiseKeyPair } from '../../rendezvous/noise/index.ts';

/**
 * Every cacophony vector (test/vectors/noise/cacophony.txt, copied unchanged) whose protocol is
 * one we implement: 25519, ChaChaPoly, SHA256 or BLAKE2s, a pattern from our table, no psk.
 * Each handshake message, the handshake hash and every transport message after are checked.
 */
type Vector = {
  protocol_name: string;
  init_prologue: string;
  resp_prologue: string;
  init_ephemeral: string;
  resp_ephemeral?: string;
  init_static?: string;
  resp_static?: string;
  init_remote_static?: string;
  resp_remote_static?: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
};

const file = new URL('../vectors/noise/cacophony.txt', import.meta.url);
const allVectors = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors;
const NAME = /^Noise_([A-Z0-9]+)_25519_ChaChaPoly_(SHA256|BLAKE2s)$/;
const selected = allVectors.filter((vector) => {
  const match = NAME.exec(vector.protocol_name);
  return match !== null && handshakePatterns.has(match[1]!);
});

function keyPair(secretHex: string | undefined): NoiseKeyPair | undefined {
  if (secretHex === undefined) return undefined;
  const secretKey = hexToBytes(secretHex);
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

function optionalKey(hex: string | undefined): Uint8Array | undefined {
  return hex === undefined ? undefined : hexToBytes(hex);
}

function runVector(vector: Vector): void {
  const initiator = new HandshakeState({
    protocol: vector.protocol_name,
    initiator: true,
    prologue: hexToBytes(vector.init_prologue),
    localStatic: keyPair(vector.init_static),
    localEphemeral: keyPair(vector.init_ephemeral),
    remoteStatic: optionalKey(vector.init_remote_static),
    dh: x25519Dh,
  });
  const responder = new HandshakeState({
    protocol: vector.protocol_name,
    initiator: false,
    prologue: hexToBytes(vector.resp_prologue),
    localStatic: keyPair(vector.resp_static),
    localEphemeral: keyPair(vector.resp_ephemeral),
    remoteStatic: optionalKey(vector.resp_remote_static),
    dh: x25519Dh,
  });
  const handshakeLength = initiator.protocol.pattern.messages.length;
  assert.ok(vector.messages.length > handshakeLength, 'the vector has transport messages');
  vector.messages.slice(0, handshakeLength).forEach((message, index) => {
    const [writer, reader] = index % 2 === 0 ? [initiator, responder] : [responder, initiator];
    const ciphertext = writer.writeMessage(hexToBytes(message.payload));
    assert.equal(bytesToHex(ciphertext), message.ciphertext, `handshake message ${index}`);
    assert.equal(bytesToHex(reader.readMessage(ciphertext)), message.payload, `handshake payload ${index}`);
  });
  assert.ok(initiator.isComplete && responder.isComplete);
  assert.equal(bytesToHex(initiator.handshakeHash), vector.handshake_hash, 'initiator handshake hash');
  assert.equal(bytesToHex(responder.handshakeHash), vector.handshake_hash, 'responder handshake hash');
  const initiatorCiphers = initiator.split();
  const responderCiphers = responder.split();
  vector.messages.slice(handshakeLength).forEach((message, offset) => {
    const index = handshakeLength + offset;
    // One-way patterns only ever send initiator → responder; interactive ones keep alternating.
    const fromInitiator = initiator.protocol.pattern.oneWay || index % 2 === 0;
    const [send, receive] = fromInitiator ? [initiatorCiphers.send, responderCiphers.receive] : [responderCiphers.send, initiatorCiphers.receive];
    const ciphertext = send.encryptWithAd(new Uint8Array(0), hexToBytes(message.payload));
    assert.equal(bytesToHex(ciphertext), message.ciphertext, `transport message ${index}`);
    assert.equal(bytesToHex(receive.decryptWithAd(new Uint8Array(0), ciphertext)), message.payload, `transport payload ${index}`);
  });
}

describe('cacophony vectors for our patterns over 25519 + ChaChaPoly + SHA256/BLAKE2s', () => {
  let run = 0;
  for (const vector of selected) {
    test(vector.protocol_name, () => {
      runVector(vector);
      run++;
    });
  }

  // 38 patterns × 2 hashes, one vector each in this file: a silent zero would be a failure.
  after(() => assert.equal(run, 76, 'vectors run'));

  test('the selection is every vector we claim, and covers IK, XX, NN, NK and XK', () => {
    assert.equal(handshakePatterns.size, 38);
    assert.equal(selected.length, 76);
    for (const name of ['IK', 'XX', 'NN', 'NK', 'XK']) {
      for (const hash of ['SHA256', 'BLAKE2s']) {
        assert.ok(selected.some((vector) => vector.protocol_name === `Noise_${name}_25519_ChaChaPoly_${hash}`), `${name} ${hash} covered`);
      }
    }
  });
});
