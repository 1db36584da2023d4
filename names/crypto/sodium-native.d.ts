/**
 * Types for the parts of sodium-native 5.1 (libsodium bindings) that names/crypto uses; the
 * package ships no declarations. Outputs are written into caller-supplied arrays. The package's
 * JavaScript checks every length with `assert` and throws a plain Error when libsodium returns
 * non-zero (a failed tag check, an all-zero X25519 result); names/crypto checks sizes itself and
 * turns those into typed errors.
 */
declare module 'sodium-native' {
  interface SodiumNative {
    /** Fills `buffer` with random bytes (libsodium's generator, seeded from the operating system). */
    randombytes_buf(buffer: Uint8Array): void;
    /** crypto_scalarmult (X25519): q = n · p. Throws when the result is all zero (low-order p). */
    crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
    /** crypto_scalarmult_base: q = n · 9, the public key of secret n. */
    crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;

    /** c (m.length + 16 bytes) = ciphertext ‖ tag. nsec is always null. Returns c's length. */
    crypto_aead_chacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, k: Uint8Array): number;
    /** m (c.length − 16 bytes) = plaintext; throws when the tag does not match. Returns m's length. */
    crypto_aead_chacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array): number;
    crypto_aead_xchacha20poly1305_ietf_encrypt(c: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, k: Uint8Array): number;
    crypto_aead_xchacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array): number;

    /** SHA-256 (FIPS 180-4), one-shot and streaming; `state` is crypto_hash_sha256_STATEBYTES. */
    crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
    crypto_hash_sha256_init(state: Uint8Array): void;
    crypto_hash_sha256_update(state: Uint8Array, input: Uint8Array): void;
    crypto_hash_sha256_final(state: Uint8Array, out: Uint8Array): void;
    readonly crypto_hash_sha256_STATEBYTES: number;
  }
  const sodium: SodiumNative;
  export = sodium;
}
