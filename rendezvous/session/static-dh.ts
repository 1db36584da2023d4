import { bytesToHex } from '../../names/index.ts';
import type { NoiseDh, NoiseKeyPair } from '../noise/index.ts';

/**
 * WireGuard's precomputed static-static DH (the kernel keeps `precomputed_static_static` per
 * peer): DH(our static, a peer's static) never changes, so a repeat handshake with a known peer
 * (every rekey, every reconnect) skips the `ss` scalar multiplication. Peers' static keys are
 * remembered once the session core has a peer for them (proven by a handshake, or named by our
 * own connect); DH calls with any other public key pass straight through, so ephemerals never
 * enter the table. A remembered key is handed to the inner DH as one canonical array (this
 * mattered while names/crypto cached OpenSSL KeyObjects per array; libsodium takes raw bytes). Bounded LRU.
 * The last few results with our static key wait in a tiny list, because a responder computes
 * `ss` before it knows the peer: remember() right after that handshake keeps its result.
 */
const RECENT_MAX = 4;

export class StaticDhCache implements NoiseDh {
  readonly #inner: NoiseDh;
  readonly #localStaticSecret: Uint8Array;
  readonly #entriesMax: number;
  readonly #entries = new Map<string, { publicKey: Uint8Array; shared: Uint8Array | undefined }>();
  #recent: { key: string; shared: Uint8Array }[] = [];
  hits = 0;

  constructor(inner: NoiseDh, localStaticSecret: Uint8Array, entriesMax: number) {
    if (!Number.isInteger(entriesMax) || entriesMax < 1) throw new RangeError(`static DH cache size: ${entriesMax}`);
    this.#inner = inner;
    this.#localStaticSecret = localStaticSecret;
    this.#entriesMax = entriesMax;
  }

  generateKeyPair(): NoiseKeyPair {
    return this.#inner.generateKeyPair();
  }

  dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
    if (secretKey !== this.#localStaticSecret && this.#entries.size === 0) return this.#inner.dh(secretKey, publicKey);
    const key = bytesToHex(publicKey);
    const known = this.#entries.get(key);
    if (known === undefined) {
      const shared = this.#inner.dh(secretKey, publicKey);
      if (secretKey === this.#localStaticSecret) this.#keepRecent(key, shared);
      return shared;
    }
    // The handshake passes our static key pair itself, so identity is the right test.
    if (secretKey !== this.#localStaticSecret) return this.#inner.dh(secretKey, known.publicKey);
    if (known.shared === undefined) known.shared = this.#inner.dh(secretKey, known.publicKey);
    else this.hits++;
    return new Uint8Array(known.shared); // the handshake wipes what it is given
  }

  /** A peer's static public key, proven or asked for: its `ss` may be kept. */
  remember(publicKey: Uint8Array): void {
    const key = bytesToHex(publicKey);
    const known = this.#entries.get(key);
    this.#entries.delete(key);
    const recent = this.#recent.find((entry) => entry.key === key)?.shared;
    this.#entries.set(key, known ?? { publicKey: new Uint8Array(publicKey), shared: recent === undefined ? undefined : new Uint8Array(recent) });
    if (this.#entries.size > this.#entriesMax) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#forget(oldest);
    }
  }

  #keepRecent(key: string, shared: Uint8Array): void {
    this.#recent.push({ key, shared: new Uint8Array(shared) });
    if (this.#recent.length > RECENT_MAX) this.#recent.shift()!.shared.fill(0);
  }

  #forget(key: string): void {
    this.#entries.get(key)?.shared?.fill(0);
    this.#entries.delete(key);
  }
}
