import sodium from 'sodium-native';
import { expectBytes } from '../bytes.ts';
import { NamesError } from '../errors.ts';

/**
 * ChaCha20-Poly1305 (RFC 8439) and XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) on libsodium
 * (sodium-native), the IETF constructions: 1.3–1.6 µs to seal a 1200-byte datagram where
 * node:crypto took ~6.5 µs (a cipher object per call) and @noble ~25 µs (docs/DECISIONS.md
 * "Crypto core"). Every function writes into one output array it allocates itself; sealed
 * messages are ciphertext ‖ 16-byte tag.
 */
export const AEAD_KEY_BYTES = 32;
export const AEAD_TAG_BYTES = 16;
export const CHACHA_NONCE_BYTES = 12;
export const XCHACHA_NONCE_BYTES = 24;

const EMPTY = new Uint8Array(0);

/** Encrypts and returns ciphertext ‖ 16-byte tag. */
export function chachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array = EMPTY): Uint8Array {
  expectBytes(key, AEAD_KEY_BYTES, 'chacha20-poly1305 key');
  expectBytes(nonce, CHACHA_NONCE_BYTES, 'chacha20-poly1305 nonce');
  const sealed = new Uint8Array(plaintext.length + AEAD_TAG_BYTES);
  sodium.crypto_aead_chacha20poly1305_ietf_encrypt(sealed, plaintext, associatedData, null, nonce, key);
  return sealed;
}

/** Decrypts ciphertext ‖ tag; throws AUTH_FAILED when the tag does not match. */
export function chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array = EMPTY): Uint8Array {
  expectBytes(key, AEAD_KEY_BYTES, 'chacha20-poly1305 key');
  expectBytes(nonce, CHACHA_NONCE_BYTES, 'chacha20-poly1305 nonce');
  checkSealedLength(sealed, 'chacha20-poly1305');
  const plaintext = new Uint8Array(sealed.length - AEAD_TAG_BYTES);
  openInto(sodium.crypto_aead_chacha20poly1305_ietf_decrypt, plaintext, key, nonce, sealed, associatedData, 'chacha20-poly1305');
  return plaintext;
}

/**
 * The packet form, for encrypted transports that send `header ‖ ciphertext ‖ tag` with the
 * header as associated data: the ciphertext and tag are written straight after the header in
 * one buffer from Node's small-buffer pool (cheaper than a fresh ArrayBuffer per 1200-byte
 * packet). Same bytes as concatBytes(header, chachaSeal(key, nonce, plaintext, header)). The
 * result is a plain Uint8Array view (not a Buffer, whose slice() would not copy).
 */
export function chachaSealPacket(key: Uint8Array, nonce: Uint8Array, header: Uint8Array, plaintext: Uint8Array): Uint8Array {
  expectBytes(key, AEAD_KEY_BYTES, 'chacha20-poly1305 key');
  expectBytes(nonce, CHACHA_NONCE_BYTES, 'chacha20-poly1305 nonce');
  const pooled = Buffer.allocUnsafe(header.length + plaintext.length + AEAD_TAG_BYTES);
  const packet = new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
  packet.set(header, 0);
  sodium.crypto_aead_chacha20poly1305_ietf_encrypt(packet.subarray(header.length), plaintext, header, null, nonce, key);
  return packet;
}

/**
 * chachaOpen with the plaintext in a pooled buffer (a view, like chachaSealPacket's result):
 * the receive path's one allocation per packet. Throws AUTH_FAILED when the tag does not match.
 */
export function chachaOpenView(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array = EMPTY): Uint8Array {
  expectBytes(key, AEAD_KEY_BYTES, 'chacha20-poly1305 key');
  expectBytes(nonce, CHACHA_NONCE_BYTES, 'chacha20-poly1305 nonce');
  checkSealedLength(sealed, 'chacha20-poly1305');
  const pooled = Buffer.allocUnsafe(sealed.length - AEAD_TAG_BYTES);
  const plaintext = new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
  openInto(sodium.crypto_aead_chacha20poly1305_ietf_decrypt, plaintext, key, nonce, sealed, associatedData, 'chacha20-poly1305');
  return plaintext;
}

export function xchachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array = EMPTY): Uint8Array {
  expectBytes(key, AEAD_KEY_BYTES, 'xchacha20-poly1305 key');
  expectBytes(nonce, XCHACHA_NONCE_BYTES, 'xchacha20-poly1305 nonce');
  const sealed = new Uint8Array(plaintext.length + AEAD_TAG_BYTES);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, plaintext, associatedData, null, nonce, key);
  return sealed;
}

export function xchachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array = EMPTY): Uint8Array {
  expectBytes(key, AEAD_KEY_BYTES, 'xchacha20-poly1305 key');
  expectBytes(nonce, XCHACHA_NONCE_BYTES, 'xchacha20-poly1305 nonce');
  checkSealedLength(sealed, 'xchacha20-poly1305');
  const plaintext = new Uint8Array(sealed.length - AEAD_TAG_BYTES);
  openInto(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt, plaintext, key, nonce, sealed, associatedData, 'xchacha20-poly1305');
  return plaintext;
}

type Decrypt = (m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array) => number;

function checkSealedLength(sealed: Uint8Array, cipher: string): void {
  if (sealed.length < AEAD_TAG_BYTES) {
    throw new NamesError('AUTH_FAILED', `${cipher}: sealed message shorter than its ${AEAD_TAG_BYTES}-byte tag`);
  }
}

/** libsodium checks the tag before decrypting and zeroes `plaintext` when it does not match. */
function openInto(decrypt: Decrypt, plaintext: Uint8Array, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array, cipher: string): void {
  try {
    decrypt(plaintext, null, sealed, associatedData, nonce, key);
  } catch (error) {
    throw new NamesError('AUTH_FAILED', `${cipher}: authentication tag does not match`, { cause: error });
  }
}
