import { sessionReplayBitmapBits, sessionReplayWindowPackets } from '../constants.ts';

/**
 * The sliding anti-replay window of RFC 6479: a ring of 32-bit words indexed by counter.
 * Moving the window forward clears whole words instead of shifting the bitmap, so each
 * packet costs O(1) however far the counter jumps. One word is kept out of the window so
 * the word holding the newest counter never also holds the oldest acceptable ones.
 *
 * `check` runs before decryption (a cheap drop for duplicates); `accept` runs only after the
 * AEAD tag verified, so a forged packet can never move the window.
 */
const WORD_BITS = 32;
const WORDS = sessionReplayBitmapBits / WORD_BITS;

export type ReplayVerdict = 'fresh' | 'replayed' | 'too-old';

export class ReplayWindow {
  #words = new Uint32Array(WORDS);
  #greatest = 0;
  #any = false;

  /** The greatest counter accepted so far (−1 before the first). */
  get greatest(): number {
    return this.#any ? this.#greatest : -1;
  }

  check(counter: number): ReplayVerdict {
    if (!this.#any || counter > this.#greatest) return 'fresh';
    if (this.#greatest - counter >= sessionReplayWindowPackets) return 'too-old';
    return (this.#words[wordIndex(counter)]! & bit(counter)) !== 0 ? 'replayed' : 'fresh';
  }

  /** Marks `counter` as seen; call only after `check` said fresh and the packet authenticated. */
  accept(counter: number): void {
    if (!this.#any || counter > this.#greatest) this.#advance(counter);
    this.#words[wordIndex(counter)]! |= bit(counter);
  }

  #advance(counter: number): void {
    const fromWord = this.#any ? Math.floor(this.#greatest / WORD_BITS) + 1 : 0;
    const toWord = Math.floor(counter / WORD_BITS);
    const clear = Math.min(toWord - fromWord + 1, WORDS);
    for (let step = 0; step < clear; step++) this.#words[(fromWord + step) % WORDS] = 0;
    this.#greatest = counter;
    this.#any = true;
  }
}

function wordIndex(counter: number): number {
  return Math.floor(counter / WORD_BITS) % WORDS;
}

function bit(counter: number): number {
  return (1 << (counter % WORD_BITS)) >>> 0;
}
