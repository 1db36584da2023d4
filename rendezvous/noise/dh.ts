import { NamesError, x25519, x25519GenerateKeyPair, x25519PublicKey, type Rng } from '../../names/index.ts';
import { RendezvousError } from '../errors.ts';

/**
 * The DH functions of Noise (rev 34 §4.1) for Curve25519 (§12.1), injected into the
 * handshake so that tests can fix the ephemerals (cacophony vectors, golden bytes) and
 * count the Diffie-Hellman operations a flood makes the responder do.
 */
export const NOISE_DH_BYTES = 32;

export type NoiseKeyPair = { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };

export interface NoiseDh {
  /** §4.1 GENERATE_KEYPAIR(): one scalar multiplication. */
  generateKeyPair(): NoiseKeyPair;
  /** §4.1 DH(key_pair, public_key); throws NOISE_BAD_POINT for a low-order public key. */
  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

/** Fresh ephemerals from the operating system's generator. */
export const x25519Dh: NoiseDh = {
  generateKeyPair: () => x25519GenerateKeyPair(),
  dh: checkedX25519,
};

/** Ephemerals drawn from an injected Rng: seeded in simulation, systemRng in production. */
export function rngX25519Dh(rng: Rng): NoiseDh {
  return {
    generateKeyPair() {
      const secretKey = rng.bytes(NOISE_DH_BYTES);
      return { secretKey, publicKey: x25519PublicKey(secretKey) };
    },
    dh: checkedX25519,
  };
}

/** How many scalar multiplications a NoiseDh has done. */
export type DhCounter = { dh: number; generateKeyPair: number };

export function countingDh(inner: NoiseDh, counter: DhCounter): NoiseDh {
  return {
    generateKeyPair() {
      counter.generateKeyPair++;
      return inner.generateKeyPair();
    },
    dh(secretKey, publicKey) {
      counter.dh++;
      return inner.dh(secretKey, publicKey);
    },
  };
}

function checkedX25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return x25519(secretKey, publicKey);
  } catch (error) {
    if (error instanceof NamesError && error.code === 'BAD_POINT') {
      throw new RendezvousError('NOISE_BAD_POINT', 'noise: low-order public key', { cause: error });
    }
    throw error;
  }
}
