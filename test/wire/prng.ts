/**
 * A small seeded PRNG (sfc32, from PractRand) for the fuzzers: a failing seed prints
 * itself and replays exactly. Not for secrets.
 */
export interface Prng {
  /** A uniform 32-bit unsigned integer. */
  next(): number;
  /** A uniform integer in 0..bound-1 (bound ≤ 2^32). */
  below(bound: number): number;
  chance(probability: number): boolean;
  bytes(length: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
}

export function createPrng(seed: number): Prng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let round = 0; round < 16; round += 1) next();
  const below = (bound: number): number => Math.floor((next() / 0x1_0000_0000) * bound);
  return {
    next,
    below,
    chance: (probability) => next() / 0x1_0000_0000 < probability,
    bytes: (length) => {
      const out = new Uint8Array(length);
      for (let index = 0; index < length; index += 1) out[index] = next() & 0xff;
      return out;
    },
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[below(items.length)]!;
    },
  };
}

/** The seed from PARLEY_FUZZ_SEED, or a fresh one; the test prints it either way. */
export function fuzzSeed(): number {
  const fromEnvironment = process.env['PARLEY_FUZZ_SEED'];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return Number.parseInt(fromEnvironment, 10) >>> 0;
  return Math.floor(Math.random() * 0x1_0000_0000);
}
