import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, seededRng } from '../../names/index.ts';
import { sessionPayloadBytesMax } from '../../rendezvous/constants.ts';
import { RendezvousError } from '../../rendezvous/errors.ts';
import { sessionPacketBytes, sessionPacketTypes } from '../../rendezvous/session/index.ts';
import { connectIk, effectsOf, logCodes, makeParty, Network, peerIdOf, type Party } from './harness.ts';

const text = (value: string) => new TextEncoder().encode(value);
const delivered = (party: Party) => effectsOf(party.effects, 'deliver').map((effect) => new TextDecoder().decode(effect.payload));

function pair(limits = {}): { network: Network; alice: Party; bob: Party } {
  const alice = makeParty('alice', 1, '10.0.0.1:1000', 0, { limits });
  const bob = makeParty('bob', 2, '10.0.0.2:2000', 0, { limits });
  return { network: new Network(0, alice, bob), alice, bob };
}

function established(): { network: Network; alice: Party; bob: Party; toBob: string; toAlice: string } {
  const { network, alice, bob } = pair();
  const toBob = connectIk(network, alice, bob);
  return { network, alice, bob, toBob, toAlice: peerIdOf(alice) };
}

describe('handshakes', () => {
  test('IK: both sides establish with each other’s proven identity; data flows both ways', () => {
    const { network, alice, bob, toBob, toAlice } = established();
    const [aliceSide] = effectsOf(alice.effects, 'established');
    const [bobSide] = effectsOf(bob.effects, 'established');
    assert.equal(bytesToHex(aliceSide!.remoteIdentityKey), bytesToHex(bob.identityKey));
    assert.equal(bytesToHex(bobSide!.remoteIdentityKey), bytesToHex(alice.identityKey));
    assert.equal(bobSide!.peer, toAlice);
    assert.equal(bobSide!.address, alice.address);
    // IK: the responder does es, ss, ee, se and one key generation (Noise §7.5).
    assert.deepEqual(bob.counter, { dh: 4, generateKeyPair: 1 });
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('hello bob') });
    network.apply(bob, { kind: 'send', peer: toAlice, payload: text('hello alice') });
    network.flush();
    assert.deepEqual(delivered(bob), ['hello bob']);
    assert.deepEqual(delivered(alice), ['hello alice']);
    assert.deepEqual([...logCodes(alice.effects), ...logCodes(bob.effects)], []);
  });

  test('XX: neither knows the other; identities are learned and checked, then IK rekeys find the peer', () => {
    const { network, alice, bob } = pair();
    network.apply(alice, { kind: 'connect', peer: 'bob', address: bob.address, remoteIdentityKey: bob.identityKey });
    network.flush();
    assert.equal(effectsOf(alice.effects, 'established')[0]?.peer, 'bob');
    assert.equal(bytesToHex(effectsOf(bob.effects, 'established')[0]!.remoteIdentityKey), bytesToHex(alice.identityKey));
    network.apply(alice, { kind: 'send', peer: 'bob', payload: text('over xx') });
    network.apply(bob, { kind: 'send', peer: peerIdOf(alice), payload: text('back') });
    network.flush();
    assert.deepEqual(delivered(bob), ['over xx']);
    assert.deepEqual(delivered(alice), ['back']);
    network.advance(130_000);
    assert.ok(effectsOf(alice.effects, 'rekeyed').length >= 1, 'rekeyed by IK after XX');
    network.apply(alice, { kind: 'send', peer: 'bob', payload: text('after rekey') });
    network.flush();
    assert.deepEqual(delivered(bob), ['over xx', 'after rekey']);
    assert.equal(effectsOf(alice.effects, 'closed').length, 0);
  });

  test('XX: a lost finish is resent until the responder answers; a duplicate finish is dropped', () => {
    const { network, alice, bob } = pair();
    network.apply(alice, { kind: 'connect', peer: 'bob', address: bob.address });
    network.deliver(network.inFlight.shift()!); // initiation → bob
    network.deliver(network.inFlight.shift()!); // response → alice, who sends the finish
    const finish = network.inFlight.shift()!;
    assert.equal(finish.datagram[0], sessionPacketTypes.xxFinish);
    assert.equal(effectsOf(bob.effects, 'established').length, 0);
    network.advance(6_000);
    assert.equal(effectsOf(bob.effects, 'established').length, 1, 'the resent finish got through');
    network.deliver(finish);
    assert.deepEqual(logCodes(bob.effects), ['SESSION_UNEXPECTED_HANDSHAKE']);
    network.advance(6_000);
    const finishes = network.sent.filter((flight) => flight.datagram[0] === sessionPacketTypes.xxFinish);
    assert.equal(finishes.length, 2, 'no more finishes once the responder answered');
  });

  test('payloads sent before the handshake completes wait and then go out in order', () => {
    const { network, alice, bob } = pair();
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    for (const word of ['one', 'two', 'three']) network.apply(alice, { kind: 'send', peer: peerIdOf(bob), payload: text(word) });
    network.flush();
    assert.deepEqual(delivered(bob), ['one', 'two', 'three']);
  });

  test('simultaneous IK connects from both sides settle into one working session', () => {
    const { network, alice, bob } = pair();
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    network.apply(bob, { kind: 'connect', address: alice.address, remoteStaticKey: alice.staticKeyPair.publicKey });
    network.flush();
    network.apply(alice, { kind: 'send', peer: peerIdOf(bob), payload: text('a') });
    network.apply(bob, { kind: 'send', peer: peerIdOf(alice), payload: text('b') });
    network.flush();
    assert.deepEqual(delivered(bob), ['a']);
    assert.deepEqual(delivered(alice), ['b']);
  });

  test('an unreachable responder: initiations are retried, then the session closes with handshake-timeout', () => {
    const { network, alice, bob } = pair();
    network.parties.delete(bob.address);
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    network.advance(100_000);
    const initiations = network.sent.filter((flight) => flight.datagram[0] === sessionPacketTypes.ikInitiation);
    assert.ok(initiations.length >= 17 && initiations.length <= 19, `${initiations.length} initiations in 90 s`);
    assert.deepEqual(effectsOf(alice.effects, 'closed').map((effect) => effect.reason), ['handshake-timeout']);
  });

  test('local misuse throws: oversized payloads and unknown peers', () => {
    const { network, alice, toBob } = established();
    assert.throws(
      () => network.apply(alice, { kind: 'send', peer: toBob, payload: new Uint8Array(sessionPayloadBytesMax + 1) }),
      (error: unknown) => error instanceof RendezvousError && error.code === 'SESSION_PAYLOAD_TOO_LARGE',
    );
    assert.throws(
      () => network.apply(alice, { kind: 'send', peer: 'nobody', payload: text('x') }),
      (error: unknown) => error instanceof RendezvousError && error.code === 'SESSION_UNKNOWN_PEER',
    );
    network.apply(alice, { kind: 'send', peer: toBob, payload: new Uint8Array(sessionPayloadBytesMax) });
    assert.equal(network.inFlight.at(-1)!.datagram.length, 1200);
  });
});

describe('identity binding in the handshake', () => {
  test('IK to a static key bound to another identity closes with identity-mismatch', () => {
    const { network, alice, bob } = pair();
    const carol = makeParty('carol', 3, '10.0.0.3:3000');
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey, remoteIdentityKey: carol.identityKey });
    network.flush();
    assert.deepEqual(effectsOf(alice.effects, 'closed').map((effect) => effect.reason), ['identity-mismatch']);
    assert.deepEqual(logCodes(alice.effects), ['NOISE_IDENTITY_MISMATCH']);
    assert.equal(effectsOf(alice.effects, 'established').length, 0);
  });

  test('a responder whose binding signs another static key is refused with bad-binding', () => {
    const alice = makeParty('alice', 1, '10.0.0.1:1000');
    const carol = makeParty('carol', 3, '10.0.0.3:3000');
    // bob presents carol's binding (valid signature, but over carol's static key)
    const bob = makeParty('bob', 2, '10.0.0.2:2000', 0, { binding: carol.state.context.binding });
    const network = new Network(0, alice, bob);
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    network.flush();
    assert.deepEqual(effectsOf(alice.effects, 'closed').map((effect) => effect.reason), ['bad-binding']);
  });

  test('an initiator with a bad binding gets no response: the responder logs NOISE_BAD_BINDING', () => {
    const carol = makeParty('carol', 3, '10.0.0.3:3000');
    const alice = makeParty('alice', 1, '10.0.0.1:1000', 0, { binding: carol.state.context.binding });
    const bob = makeParty('bob', 2, '10.0.0.2:2000');
    const network = new Network(0, alice, bob);
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    network.flush();
    assert.deepEqual(logCodes(bob.effects), ['NOISE_BAD_BINDING']);
    assert.equal(network.sent.filter((flight) => flight.from === bob.address).length, 0);
  });

  test('a replayed IK initiation is rejected by its timestamp, after two DH and before any response', () => {
    const { network, alice, bob } = pair();
    network.apply(alice, { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
    const initiation = network.inFlight[0]!;
    network.flush();
    const sentBefore = network.sent.length;
    const dhBefore = bob.counter.dh;
    network.nowMs += 60_000;
    network.deliver(initiation);
    network.deliver(initiation, '192.0.2.66:6666');
    assert.deepEqual(logCodes(bob.effects), ['SESSION_REPLAYED_TIMESTAMP', 'SESSION_REPLAYED_TIMESTAMP']);
    assert.equal(network.sent.length, sentBefore, 'no response to a replay');
    // ss with a known peer comes from the static-static cache (session/static-dh.ts), so only es is computed.
    assert.equal(bob.counter.dh - dhBefore, 2, 'es for each replay, nothing more');
    assert.equal(effectsOf(bob.effects, 'endpoint').length, 0, 'a replay does not move the peer');
  });
});

describe('bad input is dropped with a reason and the session keeps working', () => {
  test('replayed, truncated, bit-flipped, foreign-index, oversized and unknown-type packets', () => {
    const { network, alice, bob, toBob } = established();
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('first') });
    const first = network.inFlight[0]!;
    network.flush();
    // A second packet, not yet delivered: tampering with it must not burn its counter.
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('second') });
    const second = network.inFlight.shift()!;
    const variants: [string, Uint8Array][] = [
      ['SESSION_REPLAYED', first.datagram],
      ['SESSION_BAD_LENGTH', second.datagram.subarray(0, sessionPacketBytes.transportMin - 1)],
      ['SESSION_DECRYPT_FAILED', second.datagram.subarray(0, second.datagram.length - 1)],
      ['SESSION_DECRYPT_FAILED', flip(second.datagram, second.datagram.length - 3)],
      ['SESSION_DECRYPT_FAILED', flip(second.datagram, 0 + 13)], // first ciphertext byte
      ['SESSION_DECRYPT_FAILED', flip(second.datagram, 12)], // the counter is the nonce and in the AD
      ['SESSION_KEYS_EXPIRED', flip(second.datagram, 5)], // a counter past rejectAfterMessages
      ['SESSION_UNKNOWN_INDEX', flip(second.datagram, 2)],
      ['SESSION_OVERSIZED', new Uint8Array(1201).fill(sessionPacketTypes.transport)],
      ['SESSION_UNKNOWN_TYPE', Uint8Array.of(0x99, 1, 2, 3)],
      ['SESSION_UNKNOWN_TYPE', new Uint8Array(0)],
      ['SESSION_BAD_LENGTH', new Uint8Array(100).fill(sessionPacketTypes.ikInitiation)],
    ];
    for (const [, datagram] of variants) network.deliver({ ...second, datagram });
    assert.deepEqual(logCodes(bob.effects), variants.map(([code]) => code));
    assert.ok(effectsOf(bob.effects, 'log').every((effect) => effect.from === alice.address));
    assert.deepEqual(delivered(bob), ['first']);
    network.deliver(second);
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('still here') });
    network.apply(bob, { kind: 'send', peer: peerIdOf(alice), payload: text('me too') });
    network.flush();
    assert.deepEqual(delivered(bob), ['first', 'second', 'still here']);
    assert.deepEqual(delivered(alice), ['me too']);
  });

  test('reordered packets within the window are all delivered once', () => {
    const { network, alice, bob, toBob } = established();
    for (let index = 0; index < 100; index++) network.apply(alice, { kind: 'send', peer: toBob, payload: text(`m${index}`) });
    const flights = network.inFlight.splice(0);
    const reversed = [...flights].reverse();
    for (const flight of [...reversed, ...flights]) network.deliver(flight);
    assert.equal(delivered(bob).length, 100);
    assert.equal(new Set(delivered(bob)).size, 100);
    assert.equal(logCodes(bob.effects).filter((code) => code === 'SESSION_REPLAYED').length, 100);
  });
});

describe('a peer that lost its session (restarted) is told from a rekey by its session epoch', () => {
  /** The same keys and identity at the same address, with fresh state: a restarted process. */
  function restarted(network: Network, party: Party, seed: number, rngSeed: number): Party {
    const fresh = makeParty(party.name, seed, party.address, network.nowMs, { rng: seededRng(rngSeed) });
    network.parties.set(party.address, fresh);
    return fresh;
  }

  test('a restarted initiator connects again: the responder closes the old session (peer-restarted) and establishes anew', () => {
    const { network, alice, bob, toAlice } = established();
    network.apply(bob, { kind: 'send', peer: toAlice, payload: text('before') });
    network.flush();
    assert.deepEqual(delivered(alice), ['before']);
    network.advance(1_000);
    const alice2 = restarted(network, alice, 1, 4242);
    const toBob = connectIk(network, alice2, bob);
    const bobEvents = bob.effects.filter((effect) => effect.kind === 'closed' || effect.kind === 'established' || effect.kind === 'rekeyed');
    assert.deepEqual(bobEvents.map((effect) => effect.kind === 'closed' ? `closed:${effect.reason}` : effect.kind), ['established', 'closed:peer-restarted', 'established']);
    assert.ok(bobEvents.every((effect) => effect.peer === toAlice), 'all on the one peer');
    network.apply(bob, { kind: 'send', peer: toAlice, payload: text('after') });
    network.apply(alice2, { kind: 'send', peer: toBob, payload: text('hello again') });
    network.flush();
    assert.deepEqual(delivered(alice2), ['after']);
    assert.deepEqual(delivered(bob), ['hello again']);
  });

  test('a restarted responder answers the old initiator’s rekey with a new epoch: the initiator starts a new session', () => {
    const { network, alice, bob } = pair({ rekeyAfterMessages: 8 });
    const toBob = connectIk(network, alice, bob);
    network.advance(1_000);
    const bob2 = restarted(network, bob, 2, 4343);
    // Rekey by count: alice's old session initiates a handshake, which the new bob answers.
    for (let index = 0; index < 10; index++) network.apply(alice, { kind: 'send', peer: toBob, payload: text(`lost ${index}`) });
    network.flush();
    const aliceEvents = alice.effects.filter((effect) => effect.kind === 'closed' || effect.kind === 'established');
    assert.deepEqual(aliceEvents.map((effect) => effect.kind === 'closed' ? `closed:${effect.reason}` : effect.kind), ['established', 'closed:peer-restarted', 'established']);
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('to the new bob') });
    network.flush();
    assert.deepEqual(delivered(bob2), ['to the new bob']);
    assert.equal(delivered(bob).length, 0);
  });

  test('rekeys of one session keep its epoch: no close, many rekeys', () => {
    const { network, alice, bob } = established();
    network.advance(600_000);
    assert.ok(effectsOf(alice.effects, 'rekeyed').length + effectsOf(bob.effects, 'rekeyed').length >= 4, 'rekeyed several times');
    assert.equal(effectsOf(alice.effects, 'closed').length + effectsOf(bob.effects, 'closed').length, 0);
  });
});

describe('rekeying, keepalive, idle timeout, close, roaming', () => {
  test('rekey by count: new keys before the limit, traffic never stops, no payload lost', () => {
    const { network, alice, bob } = pair({ rekeyAfterMessages: 40, rejectAfterMessages: 60 });
    const toBob = connectIk(network, alice, bob);
    for (let index = 0; index < 500; index++) {
      network.apply(alice, { kind: 'send', peer: toBob, payload: text(`n${index}`) });
      if (index % 7 === 0) network.apply(bob, { kind: 'send', peer: peerIdOf(alice), payload: text(`r${index}`) });
      network.flush();
    }
    assert.equal(delivered(bob).length, 500);
    assert.deepEqual(delivered(bob).slice(-2), ['n498', 'n499']);
    const rekeys = effectsOf(alice.effects, 'rekeyed').length;
    assert.ok(rekeys >= 500 / 40 - 1, `${rekeys} rekeys`);
    assert.deepEqual(logCodes(bob.effects), []);
  });

  test('rekey by count while the rekey handshake is unanswered: sending stops at the hard limit, then resumes', () => {
    const { network, alice, bob } = pair({ rekeyAfterMessages: 20, rejectAfterMessages: 30 });
    const toBob = connectIk(network, alice, bob);
    for (let index = 0; index < 40; index++) network.apply(alice, { kind: 'send', peer: toBob, payload: text(`n${index}`) });
    // counter 0 was the keepalive that confirmed the first handshake; 1..29 carry payloads
    const transports = network.sent.filter((flight) => flight.from === alice.address && flight.datagram[0] === sessionPacketTypes.transport);
    assert.equal(transports.length, 30, 'nothing is sealed past rejectAfterMessages');
    network.flush();
    assert.equal(delivered(bob).length, 40, 'the 10 held back go out under the new keys');
  });

  test('rekey by time, keepalives below 25 s of silence, and the session stays up for 10 minutes idle', () => {
    const { network, alice, bob, toBob } = established();
    network.advance(600_000);
    const gaps = sendGaps(network, alice.address);
    assert.ok(Math.max(...gaps) <= 20_000, `longest send silence ${Math.max(...gaps)} ms`);
    assert.ok(effectsOf(alice.effects, 'rekeyed').length >= 4, 'rekeyed every ~2 minutes');
    assert.equal(effectsOf(alice.effects, 'closed').length + effectsOf(bob.effects, 'closed').length, 0);
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('later') });
    network.flush();
    assert.deepEqual(delivered(bob), ['later']);
  });

  test('idle timeout: a peer that goes silent is closed', () => {
    const { network, alice, bob } = established();
    network.parties.delete(bob.address);
    network.advance(80_000);
    assert.deepEqual(effectsOf(alice.effects, 'closed').map((effect) => effect.reason), ['idle-timeout']);
  });

  test('clean close: an authenticated close packet; a forged one is ignored', () => {
    const { network, alice, bob, toBob } = established();
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('bye soon') });
    const data = network.inFlight.shift()!;
    // A transport packet relabelled as close fails authentication (the type byte is AD).
    const forgedClose = new Uint8Array(data.datagram.subarray(0, sessionPacketBytes.transportMin));
    forgedClose[0] = sessionPacketTypes.close;
    network.deliver({ ...data, datagram: forgedClose });
    assert.deepEqual(logCodes(bob.effects), ['SESSION_DECRYPT_FAILED']);
    assert.equal(effectsOf(bob.effects, 'closed').length, 0);
    network.apply(alice, { kind: 'close', peer: toBob });
    const close = network.inFlight[0]!;
    assert.equal(close.datagram[0], sessionPacketTypes.close);
    assert.equal(close.datagram.length, sessionPacketBytes.transportMin);
    network.flush();
    assert.deepEqual(effectsOf(alice.effects, 'closed').map((effect) => effect.reason), ['local-close']);
    assert.deepEqual(effectsOf(bob.effects, 'closed').map((effect) => effect.reason), ['remote-close']);
    network.deliver(close);
    assert.equal(logCodes(bob.effects).at(-1), 'SESSION_UNKNOWN_INDEX');
  });

  test('roaming: an authenticated packet from a new address moves the peer; a forged one does not', () => {
    const { network, alice, bob, toBob, toAlice } = established();
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('from wifi') });
    network.apply(alice, { kind: 'send', peer: toBob, payload: text('from lte') });
    const [first, second] = network.inFlight.splice(0);
    network.deliver(first!);
    network.deliver({ ...second!, datagram: flip(second!.datagram, 20) }, '198.51.100.7:4444');
    assert.deepEqual(effectsOf(bob.effects, 'endpoint'), []);
    network.deliver(second!, '198.51.100.7:4444');
    assert.deepEqual(effectsOf(bob.effects, 'endpoint'), [{ kind: 'endpoint', peer: toAlice, address: '198.51.100.7:4444' }]);
    network.apply(bob, { kind: 'send', peer: toAlice, payload: text('found you') });
    assert.equal(network.inFlight.at(-1)!.to, '198.51.100.7:4444');
  });
});

function flip(datagram: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(datagram);
  copy[index]! ^= 0x01;
  return copy;
}

/** The longest silences between datagrams sent by `from`, as the virtual clock saw them. */
function sendGaps(network: Network, from: string): number[] {
  const times = network.sent.filter((flight) => flight.from === from).map((flight) => flight.atMs ?? 0);
  return times.slice(1).map((time, index) => time - times[index]!).concat(network.nowMs - (times.at(-1) ?? 0));
}
