import { x25519PublicKey } from '../../names/index.ts';
import { rngX25519Dh, signStaticBinding } from '../../rendezvous/noise/index.ts';
import { createSessionHost } from '../../rendezvous/session/index.ts';
import { fixedEphemeralDh, Network, scriptedRng, type Party } from './harness.ts';

/**
 * Two parties with every secret fixed, for golden bytes: static keys, identities, binding
 * nonces (auxRand), ephemerals, session indexes and the wall clock. Any change to a wire
 * format, a label, the prologue or the key schedule changes the bytes.
 */
export const WALL_CLOCK_OFFSET_MS = 1_700_000_000_000;

function fixedParty(name: string, address: Party['address'], fill: number, index: number, ephemerals: number[]): Party {
  const staticSecret = new Uint8Array(32).fill(fill);
  const staticKeyPair = { secretKey: staticSecret, publicKey: x25519PublicKey(staticSecret) };
  const identitySecretKey = new Uint8Array(32).fill(fill + 0x10);
  const binding = signStaticBinding(identitySecretKey, staticKeyPair.publicKey, new Uint8Array(32));
  const rng = scriptedRng([index]);
  const counter = { dh: 0, generateKeyPair: 0 };
  const dh = fixedEphemeralDh(rngX25519Dh(rng), ephemerals.map((byte) => new Uint8Array(32).fill(byte)));
  const state = createSessionHost({ staticKeyPair, binding, rng, dh, wallClockOffsetMs: WALL_CLOCK_OFFSET_MS, hash: 'SHA256' }, 0);
  return { name, address, state, staticKeyPair, identitySecretKey, identityKey: binding.identityKey, counter, effects: [], timers: new Map() };
}

export function goldenPair(): { network: Network; alice: Party; bob: Party } {
  const alice = fixedParty('alice', '192.0.2.1:1111', 0x01, 0x11111111, [0x05]);
  const bob = fixedParty('bob', '192.0.2.2:2222', 0x02, 0x22222222, [0x06]);
  return { network: new Network(0, alice, bob), alice, bob };
}
