/**
 * Handshake rates of the session core (a measurement, not a test): `npx tsx test/session/measure-handshakes.ts`.
 * Prints one JSON line per run with IK handshakes per second through sessionStep, both sides in
 * this process and the responder's share alone (the per-core capacity of an agent), warm (the
 * initiator's binding is cached) and cold (a new identity every time, so one BIP340 verify
 * each), for SHA256 and BLAKE2s, with names' X25519 and with a JWK-import prototype of it.
 * docs/DECISIONS.md "Sessions" records the numbers.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { schnorrVerify, seededRng, x25519PublicKey } from '../../names/index.ts';
import { signStaticBinding, staticBindingDigest, x25519Dh, type NoiseDh } from '../../rendezvous/noise/index.ts';
import { createSessionHost, sessionStep, type SessionEffect, type SessionHostState } from '../../rendezvous/session/index.ts';

type Hash = 'SHA256' | 'BLAKE2s';

/** X25519 with raw keys imported as JWK instead of DER: the change suggested for names/crypto/x25519.ts. */
const importedSecrets = new WeakMap<Uint8Array, KeyObject>();
const jwkDh: NoiseDh = {
  generateKeyPair() {
    const { privateKey } = generateKeyPairSync('x25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const secretKey = new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
    importedSecrets.set(secretKey, privateKey);
    return { secretKey, publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')) };
  },
  dh(secretKey, publicKey) {
    let privateKey = importedSecrets.get(secretKey);
    if (privateKey === undefined) {
      const x = Buffer.from(x25519PublicKey(secretKey)).toString('base64url');
      privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(secretKey).toString('base64url'), x }, format: 'jwk' });
      importedSecrets.set(secretKey, privateKey);
    }
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    return new Uint8Array(diffieHellman({ privateKey, publicKey: peer }));
  },
};

function party(seed: number, hash: Hash, dh: NoiseDh): { state: SessionHostState; staticKey: Uint8Array; identityKey: Uint8Array } {
  const rng = seededRng(seed);
  const secretKey = rng.bytes(32);
  const staticKeyPair = { secretKey, publicKey: x25519PublicKey(secretKey) };
  const binding = signStaticBinding(rng.bytes(32), staticKeyPair.publicKey);
  const limits = { underLoadInitiationsPerSecond: 1e9 };
  const state = createSessionHost({ staticKeyPair, binding, rng, dh, hash, wallClockOffsetMs: 1.7e12, limits }, 0);
  return { state, staticKey: staticKeyPair.publicKey, identityKey: binding.identityKey };
}

function datagramOf(effects: SessionEffect[]): Uint8Array {
  const send = effects.find((effect) => effect.kind === 'send');
  if (send?.kind !== 'send') throw new Error(`no datagram: ${JSON.stringify(effects.filter((effect) => effect.kind === 'log'))}`);
  return send.datagram;
}

/** IK handshakes per second: [both sides, responder only]. */
function ikRate(hash: Hash, dh: NoiseDh, count: number, cold: boolean): [number, number] {
  const responder = party(99, hash, dh);
  let initiator = party(1, hash, dh);
  let responderMs = 0;
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    if (cold) initiator = party(1000 + index, hash, dh);
    const peer = `p${index}`;
    const nowMs = index;
    const connect = { kind: 'connect' as const, peer, address: '10.0.0.2:2' as const, remoteStaticKey: responder.staticKey, remoteIdentityKey: responder.identityKey };
    const initiation = datagramOf(sessionStep(initiator.state, connect, nowMs).effects);
    let mark = performance.now();
    const response = datagramOf(sessionStep(responder.state, { kind: 'datagram', from: '10.0.0.1:1', datagram: initiation }, nowMs).effects);
    responderMs += performance.now() - mark;
    const keepalive = datagramOf(sessionStep(initiator.state, { kind: 'datagram', from: '10.0.0.2:2', datagram: response }, nowMs).effects);
    mark = performance.now();
    sessionStep(responder.state, { kind: 'datagram', from: '10.0.0.1:1', datagram: keepalive }, nowMs);
    responderMs += performance.now() - mark;
    if (!cold) sessionStep(initiator.state, { kind: 'close', peer }, nowMs);
  }
  // Cold runs include making each new party (a BIP340 signature) in the total; the responder share does not.
  return [Math.round(count / ((performance.now() - start) / 1000)), Math.round(count / (responderMs / 1000))];
}

function schnorrVerifyRate(count: number): number {
  const rng = seededRng(5);
  const staticKey = x25519PublicKey(rng.bytes(32));
  const binding = signStaticBinding(rng.bytes(32), staticKey);
  const digest = staticBindingDigest(staticKey, binding.identityKey);
  const start = performance.now();
  for (let index = 0; index < count; index++) schnorrVerify(binding.signature, digest, binding.identityKey);
  return Math.round(count / ((performance.now() - start) / 1000));
}

for (let run = 0; run < 2; run++) {
  const result: Record<string, number> = {};
  for (const hash of ['SHA256', 'BLAKE2s'] as const) {
    for (const [name, dh] of [['names', x25519Dh], ['jwk', jwkDh]] as const) {
      const [both, responder] = ikRate(hash, dh, 1500, false);
      result[`warm_${hash}_${name}_bothSides`] = both;
      result[`warm_${hash}_${name}_responder`] = responder;
    }
  }
  result.cold_SHA256_names_responder = ikRate('SHA256', x25519Dh, 300, true)[1];
  result.cold_SHA256_jwk_responder = ikRate('SHA256', jwkDh, 300, true)[1];
  result.schnorrVerify = schnorrVerifyRate(500);
  console.log(JSON.stringify(result));
}
