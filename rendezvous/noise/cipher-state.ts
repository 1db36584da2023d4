import { chachaOpen, chachaOpenView, chachaSeal, chachaSealPacket, expectBytes, NamesError } from '../../names/index.ts';
import { RendezvousError } from '../errors.ts';

/**
 * Noise CipherState (rev 34 §5.1) for the ChaChaPoly cipher (§12.3): a key and a 64-bit
 * counter nonce. Counters are JavaScript numbers, so the last usable nonce here is
 * 2^53 − 1 rather than 2^64 − 2; sessions rekey long before either (rendezvous/constants.ts).
 */
export const NOISE_KEY_BYTES = 32;
export const NOISE_TAG_BYTES = 16;
const NONCE_LAST = Number.MAX_SAFE_INTEGER;

export class CipherState {
  #key: Uint8Array | undefined;
  #nonce = 0;

  constructor(key?: Uint8Array) {
    this.initializeKey(key);
  }

  /** §5.1 InitializeKey: sets k and resets n to 0. */
  initializeKey(key: Uint8Array | undefined): void {
    if (key !== undefined) expectBytes(key, NOISE_KEY_BYTES, 'noise cipher key');
    this.#key = key === undefined ? undefined : new Uint8Array(key);
    this.#nonce = 0;
  }

  hasKey(): boolean {
    return this.#key !== undefined;
  }

  get nonce(): number {
    return this.#nonce;
  }

  /** §5.1 SetNonce, for transports that carry the counter explicitly. */
  setNonce(nonce: number): void {
    checkNonce(nonce);
    this.#nonce = nonce;
  }

  /** §5.1 EncryptWithAd: plaintext passes through unchanged while there is no key. */
  encryptWithAd(associatedData: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.#key === undefined) return new Uint8Array(plaintext);
    const sealed = sealAt(this.#key, this.#nonce, associatedData, plaintext);
    this.#nonce++;
    return sealed;
  }

  /** §5.1 DecryptWithAd: on a bad tag n is not incremented and NOISE_DECRYPT_FAILED is thrown. */
  decryptWithAd(associatedData: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.#key === undefined) return new Uint8Array(ciphertext);
    const plaintext = openAt(this.#key, this.#nonce, associatedData, ciphertext);
    this.#nonce++;
    return plaintext;
  }

  /** Encrypts under an explicit nonce without touching n (transport packets carry their counter). */
  encryptAt(nonce: number, associatedData: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return sealAt(this.#requireKey(), nonce, associatedData, plaintext);
  }

  decryptAt(nonce: number, associatedData: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    return openAt(this.#requireKey(), nonce, associatedData, ciphertext);
  }

  /**
   * Transport packets, the hot path: `header ‖ ENCRYPT(k, nonce, header, plaintext)` in one
   * buffer, and its inverse returning a view of the plaintext. Same bytes as encryptAt /
   * decryptAt; a scratch nonce and no extra copies (docs/DECISIONS.md "Socket layer").
   */
  encryptPacket(nonce: number, header: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return chachaSealPacket(this.#requireKey(), scratchNonce(nonce), header, plaintext);
  }

  decryptPacket(nonce: number, header: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    try {
      return chachaOpenView(this.#requireKey(), scratchNonce(nonce), ciphertext, header);
    } catch (error) {
      if (error instanceof NamesError && error.code === 'AUTH_FAILED') {
        throw new RendezvousError('NOISE_DECRYPT_FAILED', 'noise: authentication tag does not match', { cause: error });
      }
      throw error;
    }
  }

  /** §4.2 REKEY(k) = the first 32 bytes of ENCRYPT(k, 2^64 − 1, empty, 32 zero bytes). */
  rekey(): void {
    const key = this.#requireKey();
    const next = chachaSeal(key, rekeyNonce(), new Uint8Array(32), new Uint8Array(0)).slice(0, NOISE_KEY_BYTES);
    key.fill(0);
    this.#key = next;
  }

  /** A copy with the same key and nonce, so a handshake read can be rolled back. */
  clone(): CipherState {
    const copy = new CipherState(this.#key);
    copy.#nonce = this.#nonce;
    return copy;
  }

  wipe(): void {
    this.#key?.fill(0);
    this.#key = undefined;
  }

  #requireKey(): Uint8Array {
    if (this.#key === undefined) throw new RendezvousError('NOISE_MISSING_KEY', 'cipher state has no key');
    return this.#key;
  }
}

function sealAt(key: Uint8Array, nonce: number, associatedData: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return chachaSeal(key, encodeNonce(nonce), plaintext, associatedData);
}

function openAt(key: Uint8Array, nonce: number, associatedData: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  try {
    return chachaOpen(key, encodeNonce(nonce), ciphertext, associatedData);
  } catch (error) {
    if (error instanceof NamesError && error.code === 'AUTH_FAILED') {
      throw new RendezvousError('NOISE_DECRYPT_FAILED', 'noise: authentication tag does not match', { cause: error });
    }
    throw error;
  }
}

/** §12.3: 32 bits of zeros followed by the little-endian 64-bit counter. */
function encodeNonce(nonce: number): Uint8Array {
  checkNonce(nonce);
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, nonce >>> 0, true);
  view.setUint32(8, Math.floor(nonce / 2 ** 32), true);
  return bytes;
}

/** One nonce buffer for the packet path: node:crypto copies the IV before createCipheriv returns. */
const SCRATCH_NONCE = new Uint8Array(12);
const SCRATCH_VIEW = new DataView(SCRATCH_NONCE.buffer);

function scratchNonce(nonce: number): Uint8Array {
  checkNonce(nonce);
  SCRATCH_VIEW.setUint32(4, nonce >>> 0, true);
  SCRATCH_VIEW.setUint32(8, Math.floor(nonce / 2 ** 32), true);
  return SCRATCH_NONCE;
}

function rekeyNonce(): Uint8Array {
  const bytes = new Uint8Array(12).fill(0xff);
  bytes.fill(0, 0, 4);
  return bytes;
}

function checkNonce(nonce: number): void {
  if (!Number.isInteger(nonce) || nonce < 0) throw new RangeError(`noise nonce: expected a non-negative integer, got ${nonce}`);
  if (nonce >= NONCE_LAST) throw new RendezvousError('NOISE_NONCE_EXHAUSTED', `noise nonce ${nonce} is past the last usable nonce`);
}
