import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { sessionDatagramBytesMax } from '../../rendezvous/constants.ts';
import { RendezvousError, sessionErrorCodes } from '../../rendezvous/errors.ts';
import { decodeSessionPacket, sessionPacketBytes, sessionPacketTypes } from '../../rendezvous/session/index.ts';
import { encodeCookieReply, encodeFinish, encodeResponse, encodeTransport, noiseMessageBytes } from '../../rendezvous/session/packets.ts';
import { connectIk, makeParty, Network, type Party } from './harness.ts';

const index = fc.nat({ max: 2 ** 32 - 1 });
const bytesOf = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const sessionCodes: ReadonlySet<string> = new Set(sessionErrorCodes);

describe('packet codec', () => {
  test('decode(encode(x)) == x for responses, finishes, cookie replies and transport packets', () => {
    fc.assert(
      fc.property(index, index, bytesOf(noiseMessageBytes.ikResponse), (sender, receiver, noise) => {
        const packet = decodeSessionPacket(encodeResponse('ikResponse', sender, receiver, noise));
        assert.deepEqual(packet, { kind: 'ikResponse', senderIndex: sender, receiverIndex: receiver, noise });
      }),
    );
    fc.assert(
      fc.property(index, bytesOf(noiseMessageBytes.xxFinish), (receiver, noise) => {
        assert.deepEqual(decodeSessionPacket(encodeFinish(receiver, noise)), { kind: 'xxFinish', receiverIndex: receiver, noise });
      }),
    );
    fc.assert(
      fc.property(index, bytesOf(24), bytesOf(32), (receiver, nonce, sealedCookie) => {
        assert.deepEqual(decodeSessionPacket(encodeCookieReply(receiver, nonce, sealedCookie)), { kind: 'cookieReply', receiverIndex: receiver, nonce, sealedCookie });
      }),
    );
    fc.assert(
      fc.property(index, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 16, maxLength: 1187 }), (receiver, counter, sealed) => {
        const bytes = encodeTransport('transport', receiver, counter, (header) => new Uint8Array([...header, ...sealed]));
        const packet = decodeSessionPacket(bytes);
        assert.ok(packet.kind === 'transport');
        assert.equal(packet.receiverIndex, receiver);
        assert.equal(packet.counter, counter);
        assert.deepEqual(packet.ciphertext, sealed);
        assert.deepEqual(packet.header, bytes.subarray(0, 13));
      }),
    );
  });

  test('random bytes decode or fail only with a typed session error', () => {
    const typed = fc.tuple(fc.constantFrom(...Object.values(sessionPacketTypes), 0, 9, 255), fc.uint8Array({ maxLength: 1300 }));
    fc.assert(
      fc.property(typed, ([type, rest]) => {
        const datagram = new Uint8Array([type, ...rest]);
        try {
          decodeSessionPacket(datagram);
        } catch (error) {
          assert.ok(error instanceof RendezvousError && sessionCodes.has(error.code), String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('each handshake type accepts exactly its size', () => {
    for (const kind of ['ikInitiation', 'ikResponse', 'xxInitiation', 'xxResponse', 'xxFinish', 'cookieReply'] as const) {
      for (const delta of [-1, 0, 1]) {
        const datagram = new Uint8Array(sessionPacketBytes[kind] + delta);
        datagram[0] = sessionPacketTypes[kind];
        if (delta === 0) assert.equal(decodeSessionPacket(datagram).kind, kind);
        else assert.throws(() => decodeSessionPacket(datagram), (error: unknown) => error instanceof RendezvousError && error.code === 'SESSION_BAD_LENGTH');
      }
    }
    assert.throws(() => decodeSessionPacket(new Uint8Array(sessionDatagramBytesMax + 1).fill(7)), (error: unknown) => error instanceof RendezvousError && error.code === 'SESSION_OVERSIZED');
  });
});

describe('the session core under random datagrams', () => {
  test('never throws, logs a reason for every drop, and the session keeps working', () => {
    const alice: Party = makeParty('alice', 1, '10.0.0.1:1000');
    const bob: Party = makeParty('bob', 2, '10.0.0.2:2000');
    const network = new Network(0, alice, bob);
    const toBob = connectIk(network, alice, bob);
    network.apply(alice, { kind: 'send', peer: toBob, payload: new Uint8Array(40) });
    const genuine = network.inFlight.shift()!.datagram;
    const mutated = fc.oneof(
      fc.uint8Array({ maxLength: 1300 }),
      fc.tuple(fc.nat(genuine.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
        const copy = new Uint8Array(genuine);
        copy[at]! ^= mask;
        return copy;
      }),
      fc.tuple(fc.constantFrom(...Object.values(sessionPacketTypes)), fc.uint8Array({ maxLength: 300 })).map(([type, rest]) => new Uint8Array([type, ...rest])),
    );
    fc.assert(
      fc.property(mutated, (datagram) => {
        const before = bob.effects.length;
        network.deliver({ from: alice.address, to: bob.address, datagram });
        const effects = bob.effects.slice(before);
        assert.ok(effects.every((effect) => effect.kind === 'log' || effect.kind === 'send' || effect.kind === 'timer'), JSON.stringify(effects.map((e) => e.kind)));
        assert.equal(effects.filter((effect) => effect.kind === 'log').length, 1);
      }),
      { numRuns: 1500 },
    );
    network.inFlight.length = 0;
    network.deliver({ from: alice.address, to: bob.address, datagram: genuine });
    assert.equal(bob.effects.filter((effect) => effect.kind === 'deliver').length, 1);
  });
});
