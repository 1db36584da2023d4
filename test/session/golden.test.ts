import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { bytesToHex, concatBytes, hexToBytes, x25519PublicKey } from '../../names/index.ts';
import { HandshakeState, x25519Dh, type NoiseDh } from '../../rendezvous/noise/index.ts';
import { decodeSessionPacket, encodeTai64n, sessionPacketBytes, SESSION_PROLOGUE } from '../../rendezvous/session/index.ts';
import { timestampGranules } from '../../rendezvous/session/timestamp.ts';
import { goldenPair } from './golden-setup.ts';
import { peerIdOf } from './harness.ts';

/**
 * Golden bytes for every session packet (docs/PROTOCOL.md "Sessions"), from fixed static keys
 * (0x01…, 0x02…), identities (0x11…, 0x12…), ephemerals (0x05…, 0x06…), indexes 0x11111111 and
 * 0x22222222, wall clock 1 700 000 000 000 ms and scripted cookie randomness (goldenPair()).
 */
const golden: Record<string, string> = {
  ikInitiation: [
    '011111111150a61409b1ddd0325e9b16b700e719e9772c07000b1bd7786e907c653d20495d5e083c089443d5064e9420',
    '3f1e89a6f57d6c55e92fed045452549fb4ca41a6d57fd0d9b8fd2df182f3fc4af2799ce34f6de5770d23be80a8967c96',
    '4bbf9ede27401eaa6c0f5d6e5444c1ff87c4cc2735159b7b17cb28c79ebb94820d38330791d71f25462ac9546b90bd82',
    '5021713624aed7bf4bb81da93870fca6bdc027589b8ae9696054b7552a148a76901eac3ce3e0d46c81956cd024b2e3f7',
    '936e47bee6cbdf41042afae9940c59b17fbe8dd8037dd785ec6b81297f53b27d7d7374871828b2e7dc00000000000000',
    '000000000000000000',
  ].join(''),
  ikResponse: [
    '022222222211111111f5b2d6e60f9477e310c2982daaa6c9136c108a1777c5947e448fa37d681745579787e7a7a75aa7',
    '9228ea393579fb671190e361fc2659e20807567800c1cb81b9f30f76b1d296a3ebd089c06ddae4cced5631a62f96a51f',
    'cc0f3e4b6ee19bdccdaacc30ba463e8395d33b3da3f3406ba25e5f63c9f33471bbcb93556a9cb448ef7753872e6d7300',
    'f5144d39375e5ab880f9c60fa23e9ce315',
  ].join(''),
  ikConfirmKeepalive: [
    '07222222220000000000000000e513236ae90eabf08b1223a915b84a26',
  ].join(''),
  ikTransportHello: [
    '07222222220000000000000001b040d769a05cffc9e54233c25ead1374bbfb1ccce4',
  ].join(''),
  ikClose: [
    '08222222220000000000000002bbaf9337809759d33c1404429b8b650d',
  ].join(''),
  xxInitiation: [
    '031111111150a61409b1ddd0325e9b16b700e719e9772c07000b1bd7786e907c653d20495d0000000000000000000000',
    '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
    '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
    '00000000000000000000000000000000000000000000000000000000000000000035dd6058586eabaa9944cbaf5aa28a',
    'fd00000000000000000000000000000000',
  ].join(''),
  xxResponse: [
    '042222222211111111f5b2d6e60f9477e310c2982daaa6c9136c108a1777c5947e448fa37d68174557c3e0300bac5fc8',
    '62e6b0e3594f00766048fb2dc37c2bd00da8f44cf4f536bff7ead819200031a8d15b1cafd803a01632a96b663021481f',
    'c94328162f5191f3f4479668f320f2c375213e553b006faa9bd21cf979b52b6a764a4bedc1595f99bd2e5b0dd0a5f0aa',
    '98a666d11264f9cec5f1a9432d837273899158e4f0a811e2106c59b26f7aa83efbeb5c9dd67b4cf92395c097a512a54d',
    '49289088f026c4ec08330f7e410ec3ce97',
  ].join(''),
  xxFinish: [
    '0522222222e08704ea0d8971fd6657ea6ffdd2976c0053d2e5363f2a3bb9baab3be449ed4cd3f04ae83ac3e7e0baea69',
    'bbbc2634e93a978f4e097f21a3f74ba818666c3db9788ce070bf2b41b8bdd3b9c4341802084dfe4d101143ce7f371e1d',
    '23e08de860927c0da6f9a9a87aab8b28179680d52b29ac66574bdaa9a27e5d201da0da6b8e3debc77939b418180e910f',
    '558f1dceec0a0c5fc4dda6754ce54bc22089157a6c843c3932b3a2e362',
  ].join(''),
  xxResponderKeepalive: [
    '071111111100000000000000004c2ef12bdc161ee407cdfbfb8374c5f4',
  ].join(''),
  xxTransportHello: [
    '072222222200000000000000008e1e6f6b82bd9cec48403936f4201e75a559051df9',
  ].join(''),
  cookieReply: [
    '0611111111a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a127a327253c50f39d66b9523fef8e0e2395ab0e',
    '0201deedb472b815c850551006',
  ].join(''),
  ikInitiationWithMac2: [
    '011111111150a61409b1ddd0325e9b16b700e719e9772c07000b1bd7786e907c653d20495d5e083c089443d5064e9420',
    '3f1e89a6f57d6c55e92fed045452549fb4ca41a6d57fd0d9b8fd2df182f3fc4af2799ce34f6de5770d23be80a8967c96',
    '4bbf9ede27401eaa6c0f5d6e5444c1ff87c4cc2735159b7b17cb28c79ebb94820d38330791d71f25462ac9546b90bd82',
    '5021713624aed7bf4bb81da93870fca6bdc027589b8ae9696054b7552a148a76901eac3ce3e0d46c81956cd024b2e3f7',
    '936e47bee6cbdf41042afae9940c59b17fbe8dd8037dd785ec6b81297f53b27d7d7374871828b2e7dc5fa4be7835ab38',
    'adb16c0934a0d26c78',
  ].join(''),
  ikResponseAfterCookie: [
    '022222222211111111f5b2d6e60f9477e310c2982daaa6c9136c108a1777c5947e448fa37d681745579787e7a7a75aa7',
    '9228ea393579fb671190e361fc2659e20807567800c1cb81b9f30f76b1d296a3ebd089c06ddae4cced5631a62f96a51f',
    'cc0f3e4b6ee19bdccdaacc30ba463e8395d33b3da3f3406ba25e5f63c9f33471bbcb93556a9cb448ef7450842d6e7003',
    'f647f8da0a199a382bbe2e4cc7e02c3686',
  ].join(''),
};

const hello = new TextEncoder().encode('hello');

function run(pattern: 'ik' | 'xx' | 'cookie'): string[] {
  const { network, alice, bob } = goldenPair();
  if (pattern === 'cookie') network.apply(bob, { kind: 'load', underLoad: true });
  const peer = pattern === 'xx' ? 'bob' : peerIdOf(bob);
  network.apply(alice, pattern === 'xx' ? { kind: 'connect', peer, address: bob.address } : { kind: 'connect', address: bob.address, remoteStaticKey: bob.staticKeyPair.publicKey });
  network.flush();
  network.apply(alice, { kind: 'send', peer, payload: hello });
  network.apply(alice, { kind: 'close', peer });
  return network.sent.map((flight) => bytesToHex(flight.datagram));
}

describe('golden bytes', () => {
  test('IK: initiation, response, confirming keepalive, data and close', () => {
    assert.deepEqual(run('ik'), [golden.ikInitiation, golden.ikResponse, golden.ikConfirmKeepalive, golden.ikTransportHello, golden.ikClose]);
  });

  test('XX: padded initiation, response, finish, the responder keepalive, data and close', () => {
    const sent = run('xx');
    assert.deepEqual(sent.slice(0, 5), [golden.xxInitiation, golden.xxResponse, golden.xxFinish, golden.xxResponderKeepalive, golden.xxTransportHello]);
  });

  test('under load: cookie reply, then the same initiation with mac2, then the IK exchange', () => {
    const sent = run('cookie');
    // The response differs from the plain IK run's only in bob's session epoch (the cookie used bob's randomness first).
    assert.deepEqual(sent.slice(0, 4), [golden.ikInitiation, golden.cookieReply, golden.ikInitiationWithMac2, golden.ikResponseAfterCookie]);
  });

  test('sizes: 249, 161, 209, 209, 173, 61 and 13 + plaintext + 16', () => {
    const sizes = Object.fromEntries(Object.entries(golden).map(([name, hex]) => [name, hex.length / 2]));
    assert.deepEqual(sizes, {
      ikInitiation: sessionPacketBytes.ikInitiation,
      ikResponse: sessionPacketBytes.ikResponse,
      ikConfirmKeepalive: 29,
      ikTransportHello: 29 + hello.length,
      ikClose: 29,
      xxInitiation: sessionPacketBytes.xxInitiation,
      xxResponse: sessionPacketBytes.xxResponse,
      xxFinish: sessionPacketBytes.xxFinish,
      xxResponderKeepalive: 29,
      xxTransportHello: 29 + hello.length,
      cookieReply: sessionPacketBytes.cookieReply,
      ikInitiationWithMac2: sessionPacketBytes.ikInitiation,
      ikResponseAfterCookie: sessionPacketBytes.ikResponse,
    });
    assert.deepEqual([249, 161, 209, 209, 173, 61], [sessionPacketBytes.ikInitiation, sessionPacketBytes.ikResponse, sessionPacketBytes.xxInitiation, sessionPacketBytes.xxResponse, sessionPacketBytes.xxFinish, sessionPacketBytes.cookieReply]);
  });
});

describe('the golden IK initiation, field by field, recomputed without the session code', () => {
  const bytes = hexToBytes(golden.ikInitiation!);
  const { alice, bob } = goldenPair();

  test('type 0x01 and the big-endian sender index', () => {
    assert.equal(bytesToHex(bytes.subarray(0, 5)), '0111111111');
    const packet = decodeSessionPacket(bytes);
    assert.equal(packet.kind, 'ikInitiation');
    assert.ok(packet.kind === 'ikInitiation' && packet.senderIndex === 0x11111111);
  });

  test('the Noise message is Noise_IK_25519_ChaChaPoly_SHA256 message 1 with identity ‖ signature ‖ TAI64N ‖ epoch', () => {
    // 1 700 000 000 000 ms rounded down to a multiple of 2^24 ns: 2^62 + 1 699 999 999 s, 997 247 488 ns
    const tai64n = '400000006553f0ff3b70ca00';
    assert.equal(bytesToHex(encodeTai64n(timestampGranules(1_700_000_000_000))), tai64n);
    const epoch = 'a1'.repeat(8); // alice's session epoch: her scripted randomness
    const payload = concatBytes(alice.state.context.binding.identityKey, alice.state.context.binding.signature, hexToBytes(tai64n), hexToBytes(epoch));
    const ephemeral = new Uint8Array(32).fill(0x05);
    const fixed: NoiseDh = { generateKeyPair: () => ({ secretKey: ephemeral, publicKey: x25519PublicKey(ephemeral) }), dh: x25519Dh.dh };
    const handshake = new HandshakeState({
      protocol: 'Noise_IK_25519_ChaChaPoly_SHA256',
      initiator: true,
      prologue: SESSION_PROLOGUE,
      localStatic: alice.staticKeyPair,
      remoteStatic: bob.staticKeyPair.publicKey,
      dh: fixed,
    });
    assert.equal(bytesToHex(bytes.subarray(5, 217)), bytesToHex(handshake.writeMessage(payload)));
    assert.equal(bytesToHex(bytes.subarray(5, 37)), bytesToHex(x25519PublicKey(ephemeral)));
    assert.equal(new TextDecoder().decode(SESSION_PROLOGUE), 'parley session v1');
  });

  test('mac1 = HMAC-SHA256(SHA256("parley/mac1" ‖ responder static), bytes before mac1)[0..16]; mac2 zero without a cookie', () => {
    const key = createHash('sha256').update('parley/mac1').update(bob.staticKeyPair.publicKey).digest();
    const mac1 = createHmac('sha256', key).update(bytes.subarray(0, 217)).digest().subarray(0, 16);
    assert.equal(bytesToHex(bytes.subarray(217, 233)), bytesToHex(mac1));
    assert.equal(bytesToHex(bytes.subarray(233)), '00'.repeat(16));
  });

  test('with a cookie, only mac2 changes: HMAC-SHA256(cookie, bytes before mac2)[0..16]', () => {
    const withMac2 = hexToBytes(golden.ikInitiationWithMac2!);
    assert.equal(bytesToHex(withMac2.subarray(0, 233)), bytesToHex(bytes.subarray(0, 233)));
    assert.notEqual(bytesToHex(withMac2.subarray(233)), '00'.repeat(16));
  });

  test('transport header: type, receiver index, counter, all big-endian; the plaintext is sealed after', () => {
    const hello = hexToBytes(golden.ikTransportHello!);
    assert.equal(bytesToHex(hello.subarray(0, 13)), '07' + '22222222' + '0000000000000001');
    const close = hexToBytes(golden.ikClose!);
    assert.equal(bytesToHex(close.subarray(0, 13)), '08' + '22222222' + '0000000000000002');
  });
});
