import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRng } from '../../names/index.ts';
import { macKeys, stampMacs } from '../../rendezvous/session/macs.ts';
import { sessionPacketBytes, sessionPacketTypes, type SessionAddress } from '../../rendezvous/session/index.ts';
import { effectsOf, logCodes, makeParty, Network, peerIdOf, type Party } from './harness.ts';

/**
 * Handshake floods against a responder (WireGuard whitepaper §5.3): everything that fails
 * mac1 costs a hash; under load everything without a valid mac2 costs a hash and a cookie
 * reply; only initiators that proved their address reach the Diffie-Hellman, rate limited.
 */
const rng = seededRng(99);

function setup(limits = {}): { network: Network; bob: Party } {
  const bob = makeParty('bob', 2, '10.0.0.2:2000', 0, { limits });
  return { network: new Network(0, bob), bob };
}

function spoofedAddress(): SessionAddress {
  return `203.0.113.${rng.below(256)}:${1024 + rng.below(60000)}`;
}

/** An initiation with random Noise bytes and a valid mac1 for `responder`, optionally a valid mac2. */
function forgedInitiation(responder: Party, kind: 'ikInitiation' | 'xxInitiation' = 'ikInitiation', cookie?: Uint8Array): Uint8Array {
  const packet = rng.bytes(sessionPacketBytes[kind]);
  packet[0] = sessionPacketTypes[kind];
  const keys = macKeys(responder.state.hash, kind === 'ikInitiation' ? responder.staticKeyPair.publicKey : undefined);
  return stampMacs(responder.state.hash, packet, keys.mac1, cookie);
}

function sentBy(network: Network, address: string) {
  return network.sent.filter((flight) => flight.from === address);
}

describe('handshake floods', () => {
  test('random initiations fail mac1: no DH, no answer', () => {
    const { network, bob } = setup();
    for (let index = 0; index < 2000; index++) {
      const kind = index % 2 === 0 ? 'ikInitiation' : 'xxInitiation';
      const datagram = rng.bytes(sessionPacketBytes[kind]);
      datagram[0] = sessionPacketTypes[kind];
      network.deliver({ from: spoofedAddress(), to: bob.address, datagram });
    }
    assert.deepEqual(new Set(logCodes(bob.effects)), new Set(['SESSION_BAD_MAC1']));
    assert.deepEqual(bob.counter, { dh: 0, generateKeyPair: 0 });
    assert.equal(sentBy(network, bob.address).length, 0);
  });

  test('with the cookie on, a flood with valid mac1 gets only cookie replies, each smaller than its request, and zero DH', () => {
    const { network, bob } = setup();
    network.apply(bob, { kind: 'load', underLoad: true });
    for (let index = 0; index < 2000; index++) {
      const kind = index % 4 === 0 ? 'xxInitiation' : 'ikInitiation';
      network.deliver({ from: spoofedAddress(), to: bob.address, datagram: forgedInitiation(bob, kind) });
    }
    assert.deepEqual(new Set(logCodes(bob.effects)), new Set(['SESSION_COOKIE_SENT']));
    assert.deepEqual(bob.counter, { dh: 0, generateKeyPair: 0 }, 'no Diffie-Hellman for unauthenticated floods');
    const replies = sentBy(network, bob.address);
    assert.equal(replies.length, 2000);
    for (const reply of replies) {
      assert.equal(reply.datagram[0], sessionPacketTypes.cookieReply);
      assert.ok(reply.datagram.length < sessionPacketBytes.ikInitiation && reply.datagram.length < sessionPacketBytes.xxInitiation);
    }
  });

  test('under load a real initiator completes through the cookie round trip; only its handshake costs DH', () => {
    const { network, bob } = setup();
    const alice = makeParty('alice', 1, '10.0.0.1:1000');
    network.parties.set(alice.address, alice);
    network.apply(bob, { kind: 'load', underLoad: true });
    for (let index = 0; index < 500; index++) network.deliver({ from: spoofedAddress(), to: bob.address, datagram: forgedInitiation(bob) });
    network.inFlight.length = 0; // cookie replies to spoofed sources go nowhere
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    network.flush();
    assert.equal(effectsOf(alice.effects, 'established').length, 1);
    assert.equal(effectsOf(bob.effects, 'established').length, 1);
    assert.deepEqual(bob.counter, { dh: 4, generateKeyPair: 1 });
    const aliceInitiations = sentBy(network, alice.address).filter((flight) => flight.datagram[0] === sessionPacketTypes.ikInitiation);
    assert.equal(aliceInitiations.length, 2, 'the first, then the same one with mac2');
  });

  test('the responder goes under load by itself past the initiation rate threshold', () => {
    const { network, bob } = setup({ underLoadInitiationsPerSecond: 20 });
    for (let index = 0; index < 100; index++) network.deliver({ from: spoofedAddress(), to: bob.address, datagram: forgedInitiation(bob) });
    const codes = logCodes(bob.effects);
    assert.deepEqual(codes.slice(0, 20), Array(20).fill('NOISE_DECRYPT_FAILED'));
    assert.deepEqual(new Set(codes.slice(20)), new Set(['SESSION_COOKIE_SENT']));
    assert.equal(bob.counter.dh, 20, 'one DH (es) per junk initiation before load, none after');
    network.nowMs += 2_000;
    network.deliver({ from: spoofedAddress(), to: bob.address, datagram: forgedInitiation(bob) });
    assert.equal(logCodes(bob.effects).at(-1), 'NOISE_DECRYPT_FAILED', 'load mode ends when the rate drops');
  });

  test('a source that proved its address is still rate limited per host under load', () => {
    const { network, bob } = setup();
    const mallory = makeParty('mallory', 5, '198.51.100.9:5000');
    network.parties.set(mallory.address, mallory);
    network.apply(bob, { kind: 'load', underLoad: true });
    network.apply(mallory, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    network.flush();
    const cookie = mallory.state.peers.get(peerIdOf(bob))!.cookie!.value;
    const dhBefore = bob.counter.dh;
    const logsBefore = bob.effects.length;
    for (let index = 0; index < 50; index++) {
      network.deliver({ from: mallory.address, to: bob.address, datagram: forgedInitiation(bob, 'ikInitiation', cookie) });
    }
    const codes = logCodes(bob.effects.slice(logsBefore));
    // The bucket holds 5 and the connect above spent one; at 20/s no time passes here.
    assert.deepEqual(codes.slice(0, 4), Array(4).fill('NOISE_DECRYPT_FAILED'));
    assert.deepEqual(new Set(codes.slice(4)), new Set(['SESSION_RATE_LIMITED']));
    assert.equal(bob.counter.dh - dhBefore, 4);
    network.nowMs += 1_000;
    network.deliver({ from: mallory.address, to: bob.address, datagram: forgedInitiation(bob, 'ikInitiation', cookie) });
    assert.equal(logCodes(bob.effects).at(-1), 'NOISE_DECRYPT_FAILED', 'tokens come back with time');
  });

  test('a full table of half-open handshakes switches on the cookie', () => {
    const { network, bob } = setup({ halfOpenHandshakesMax: 3 });
    for (let index = 0; index < 4; index++) {
      const mallory = makeParty(`mallory${index}`, 10 + index, `198.51.100.${index}:5000`);
      network.apply(mallory, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
      network.deliver(network.inFlight.shift()!);
      network.inFlight.length = 0; // the response goes nowhere: never confirmed
    }
    assert.deepEqual(logCodes(bob.effects), ['SESSION_COOKIE_SENT']);
    assert.equal(bob.counter.generateKeyPair, 3);
    network.advance(20_000); // unconfirmed responder keys expire
    assert.equal(bob.state.peers.size, 0);
    assert.equal(bob.state.unconfirmed.size, 0);
  });

  test('XX: the response is never larger than the padded initiation', () => {
    assert.ok(sessionPacketBytes.xxResponse <= sessionPacketBytes.xxInitiation);
    assert.ok(sessionPacketBytes.ikResponse <= sessionPacketBytes.ikInitiation);
    assert.ok(sessionPacketBytes.cookieReply < Math.min(sessionPacketBytes.ikInitiation, sessionPacketBytes.xxInitiation));
  });
});
