import { CipherState, NOISE_KEY_BYTES } from './cipher-state.ts';
import { noiseHkdf, type NoiseHash } from './hash.ts';

/** Noise SymmetricState (rev 34 §5.2): the chaining key, the handshake hash and a CipherState. */
export class SymmetricState {
  readonly hash: NoiseHash;
  #chainingKey: Uint8Array;
  #handshakeHash: Uint8Array;
  #cipher: CipherState;

  private constructor(hash: NoiseHash, chainingKey: Uint8Array, handshakeHash: Uint8Array, cipher: CipherState) {
    this.hash = hash;
    this.#chainingKey = chainingKey;
    this.#handshakeHash = handshakeHash;
    this.#cipher = cipher;
  }

  /** §5.2 InitializeSymmetric(protocol_name). */
  static initialize(hash: NoiseHash, protocolName: string): SymmetricState {
    const name = new TextEncoder().encode(protocolName);
    // "If protocol_name is less than or equal to HASHLEN bytes in length, sets h equal to
    // protocol_name with zero bytes appended to make HASHLEN bytes. Otherwise sets h = HASH(protocol_name)."
    let handshakeHash: Uint8Array;
    if (name.length <= hash.hashBytes) {
      handshakeHash = new Uint8Array(hash.hashBytes);
      handshakeHash.set(name);
    } else {
      handshakeHash = hash.hash(name);
    }
    return new SymmetricState(hash, new Uint8Array(handshakeHash), handshakeHash, new CipherState());
  }

  /** An independent copy, so a failed handshake read can be rolled back. */
  clone(): SymmetricState {
    return new SymmetricState(this.hash, new Uint8Array(this.#chainingKey), new Uint8Array(this.#handshakeHash), this.#cipher.clone());
  }

  mixKey(inputKeyMaterial: Uint8Array): void {
    const [chainingKey, temporaryKey] = noiseHkdf(this.hash, this.#chainingKey, inputKeyMaterial, 2) as [Uint8Array, Uint8Array];
    this.#replaceChainingKey(chainingKey);
    // HASHLEN is 32 for both suites, so no truncation of temp_k is needed (§5.2).
    this.#cipher.initializeKey(temporaryKey.subarray(0, NOISE_KEY_BYTES));
    temporaryKey.fill(0);
  }

  mixHash(data: Uint8Array): void {
    this.#handshakeHash = this.hash.hash(this.#handshakeHash, data);
  }

  /** §5.2 MixKeyAndHash, used by psk tokens. */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [chainingKey, temporaryHash, temporaryKey] = noiseHkdf(this.hash, this.#chainingKey, inputKeyMaterial, 3) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    this.#replaceChainingKey(chainingKey);
    this.mixHash(temporaryHash);
    this.#cipher.initializeKey(temporaryKey.subarray(0, NOISE_KEY_BYTES));
    temporaryKey.fill(0);
  }

  get handshakeHash(): Uint8Array {
    return new Uint8Array(this.#handshakeHash);
  }

  hasKey(): boolean {
    return this.#cipher.hasKey();
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.#cipher.encryptWithAd(this.#handshakeHash, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.#cipher.decryptWithAd(this.#handshakeHash, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** §5.2 Split(): two CipherStates, the first for initiator → responder. */
  split(): [CipherState, CipherState] {
    const [first, second] = noiseHkdf(this.hash, this.#chainingKey, new Uint8Array(0), 2) as [Uint8Array, Uint8Array];
    const result: [CipherState, CipherState] = [
      new CipherState(first.subarray(0, NOISE_KEY_BYTES)),
      new CipherState(second.subarray(0, NOISE_KEY_BYTES)),
    ];
    first.fill(0);
    second.fill(0);
    return result;
  }

  wipe(): void {
    this.#chainingKey.fill(0);
    this.#cipher.wipe();
  }

  #replaceChainingKey(next: Uint8Array): void {
    this.#chainingKey.fill(0);
    this.#chainingKey = next;
  }
}
