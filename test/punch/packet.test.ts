import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../../names/index.ts';
import {
  classifyDatagram,
  decodePunchPacket,
  decodeRelayPacket,
  derivePunchMacKey,
  encodePunchPacket,
  encodeRelayPacket,
  punchErrorCodes,
  punchPacketBytes,
  punchPacketBytesMax,
  RendezvousError,
  type PunchPacket,
} from '../../rendezvous/index.ts';

/**
 * Punch packet golden bytes (test/punch/vectors.json; the MAC key and the first MAC were
 * checked independently with Python's hmac/hashlib), round trips, and forgeries.
 */
interface Vectors {
  secret: string;
  sessionId: string;
  macKey: string;
  valid: { note: string; packet: Omit<PunchPacket, 'sessionId'>; hex: string }[];
  invalid: { note: string; code: string; hex: string }[];
  relay: { note: string; token: string; payload: string; hex: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as Vectors;
const secret = hexToBytes(vectors.secret);
const sessionId = hexToBytes(vectors.sessionId);
const macKey = derivePunchMacKey(secret, sessionId);

test('the MAC key derivation matches the vector', () => {
  assert.equal(bytesToHex(macKey), vectors.macKey);
});

test('valid vectors encode to exactly their bytes and decode back', () => {
  for (const vector of vectors.valid) {
    const packet = { ...vector.packet, sessionId };
    assert.equal(bytesToHex(encodePunchPacket(packet, macKey)), vector.hex, vector.note);
    assert.deepStrictEqual(decodePunchPacket(hexToBytes(vector.hex), sessionId, macKey), packet, vector.note);
  }
});

test('invalid vectors fail with their code', () => {
  for (const vector of vectors.invalid) {
    assert.throws(() => decodePunchPacket(hexToBytes(vector.hex), sessionId, macKey), (error: unknown) => error instanceof RendezvousError && error.code === vector.code, vector.note);
  }
});

test('packets are small and fixed-size', () => {
  assert.equal(punchPacketBytes, 42);
  assert.ok(punchPacketBytes <= punchPacketBytesMax);
  for (const vector of vectors.valid) assert.equal(hexToBytes(vector.hex).length, punchPacketBytes);
});

const packetArbitrary = fc.record({
  kind: fc.constantFrom('probe' as const, 'ack' as const),
  role: fc.constantFrom('caller' as const, 'callee' as const),
  nominated: fc.boolean(),
  sequence: fc.integer({ min: 0, max: 0xffff_ffff }),
  echo: fc.integer({ min: 0, max: 0xffff_ffff }),
});

test('decode(encode(x)) equals x', () => {
  fc.assert(
    fc.property(packetArbitrary, (fields) => {
      const packet = { ...fields, sessionId };
      assert.deepStrictEqual(decodePunchPacket(encodePunchPacket(packet, macKey), sessionId, macKey), packet);
    }),
    { numRuns: 500 },
  );
});

test('a packet made with another secret is rejected: a stray or forged packet cannot pass', () => {
  fc.assert(
    fc.property(packetArbitrary, fc.uint8Array({ minLength: 32, maxLength: 32 }), (fields, otherSecret) => {
      fc.pre(bytesToHex(otherSecret) !== vectors.secret);
      const forged = encodePunchPacket({ ...fields, sessionId }, derivePunchMacKey(otherSecret, sessionId));
      assert.throws(() => decodePunchPacket(forged, sessionId, macKey), (error: unknown) => error instanceof RendezvousError && error.code === 'PUNCH_BAD_MAC');
    }),
    { numRuns: 200 },
  );
});

test('every single-bit flip is rejected', () => {
  const good = encodePunchPacket({ kind: 'probe', role: 'caller', nominated: false, sessionId, sequence: 7, echo: 0 }, macKey);
  for (let bit = 0; bit < good.length * 8; bit++) {
    const bad = good.slice();
    bad[bit >> 3]! ^= 1 << (bit & 7);
    assert.throws(() => decodePunchPacket(bad, sessionId, macKey), RendezvousError, `bit ${bit}`);
  }
});

test('random bytes only ever yield typed punch errors', () => {
  const codes = new Set<string>(punchErrorCodes);
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 42, maxLength: 42 }).map((bytes) => (bytes.set(sessionId, 2), (bytes[0] = 0x50), bytes))), (bytes) => {
      try {
        decodePunchPacket(bytes, sessionId, macKey);
        assert.fail('random bytes decoded');
      } catch (error) {
        assert.ok(error instanceof RendezvousError && codes.has(error.code), String(error));
      }
    }),
    { numRuns: 2000 },
  );
});

test('relay datagrams: golden bytes, round trip, short ones rejected', () => {
  for (const vector of vectors.relay) {
    const encoded = encodeRelayPacket(hexToBytes(vector.token), hexToBytes(vector.payload));
    assert.equal(bytesToHex(encoded), vector.hex, vector.note);
    const decoded = decodeRelayPacket(encoded);
    assert.equal(bytesToHex(decoded.token), vector.token);
    assert.equal(bytesToHex(decoded.payload), vector.payload);
  }
  assert.throws(() => decodeRelayPacket(new Uint8Array(16).fill(0x52)), (error: unknown) => error instanceof RendezvousError && error.code === 'RELAY_BAD_PACKET');
});

test('the demultiplexer tells session, punch, relay and msgpack datagrams apart by the first byte', () => {
  assert.equal(classifyDatagram(Uint8Array.of(0x01)), 'session');
  assert.equal(classifyDatagram(Uint8Array.of(0x08)), 'session');
  assert.equal(classifyDatagram(hexToBytes(vectors.valid[0]!.hex)), 'punch');
  assert.equal(classifyDatagram(hexToBytes(vectors.valid[1]!.hex)), 'punch');
  assert.equal(classifyDatagram(hexToBytes(vectors.relay[0]!.hex)), 'relay');
  assert.equal(classifyDatagram(Uint8Array.of(0x83)), 'message');
  assert.equal(classifyDatagram(new Uint8Array(0)), 'unknown');
  assert.equal(classifyDatagram(Uint8Array.of(0x00)), 'unknown');
});
