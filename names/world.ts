import { randomBytes } from './crypto/random.ts';

/**
 * The world a protocol core may observe, injected so the daemon and the deterministic simulator
 * run the same code (STYLE 2). Pure cores take `nowMs` as an argument; shells own a Clock.
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch; monotonic. */
  nowMs(): number;
  /** Wall-clock milliseconds since the Unix epoch (for timestamps that leave this process). */
  wallMs(): number;
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export type TimerHandle = { readonly id: number };

export interface Rng {
  /** Uniform bytes; from the OS in production, from a seeded generator in simulation. */
  bytes(length: number): Uint8Array;
  /** Uniform integer in [0, bound). */
  below(bound: number): number;
  /** Uniform float in [0, 1). */
  unit(): number;
}

export const systemClock: Clock = (() => {
  const timers = new Map<number, NodeJS.Timeout>();
  let nextId = 1;
  const origin = performance.timeOrigin;
  return {
    nowMs: () => performance.now(),
    wallMs: () => origin + performance.now(),
    setTimer(delayMs, callback) {
      const id = nextId++;
      const timer = setTimeout(() => {
        timers.delete(id);
        callback();
      }, Math.max(0, delayMs));
      timers.set(id, timer);
      return { id };
    },
    clearTimer(handle) {
      const timer = timers.get(handle.id);
      if (timer !== undefined) clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
})();

export const systemRng: Rng = {
  bytes: (length) => randomBytes(length),
  below(bound) {
    if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError(`below: bad bound ${bound}`);
    // Rejection sampling keeps the result uniform.
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const value = new DataView(randomBytes(4).buffer).getUint32(0);
      if (value < limit) return value % bound;
    }
  },
  unit: () => new DataView(randomBytes(4).buffer).getUint32(0) / 2 ** 32,
};

/** A seeded generator (xoshiro128**): the same seed gives the same run, for simulators and fuzzers. */
export function seededRng(seed: number): Rng {
  const state = new Uint32Array(4);
  // splitmix32 expands the seed so nearby seeds give unrelated streams.
  let mix = seed >>> 0;
  for (let index = 0; index < 4; index++) {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    state[index] = (z ^ (z >>> 16)) >>> 0;
  }
  const next32 = (): number => {
    const s0 = state[0]!, s1 = state[1]!, s2 = state[2]!, s3 = state[3]!;
    const result = Math.imul(rotateLeft(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    state[2] = s2 ^ s0;
    state[3] = s3 ^ s1;
    state[1] = s1 ^ state[2]!;
    state[0] = s0 ^ state[3]!;
    state[2] = state[2]! ^ t;
    state[3] = rotateLeft(state[3]!, 11);
    return result;
  };
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let index = 0; index < length; index += 4) {
        const word = next32();
        for (let shift = 0; shift < 4 && index + shift < length; shift++) out[index + shift] = (word >>> (8 * shift)) & 0xff;
      }
      return out;
    },
    below(bound) {
      if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError(`below: bad bound ${bound}`);
      const limit = 2 ** 32 - (2 ** 32 % bound);
      for (;;) {
        const value = next32();
        if (value < limit) return value % bound;
      }
    },
    unit: () => next32() / 2 ** 32,
  };
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/**
 * A virtual clock for simulation: time moves only when `advanceTo`/`runUntilIdle` is called,
 * and timers fire in (time, creation order) order, so runs replay exactly.
 */
export class VirtualClock implements Clock {
  #nowMs: number;
  #wallOffsetMs: number;
  #nextId = 1;
  #timers = new Map<number, { atMs: number; callback: () => void }>();

  constructor(startMs = 0, wallOffsetMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
    this.#wallOffsetMs = wallOffsetMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  wallMs(): number {
    return this.#wallOffsetMs + this.#nowMs;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { atMs: this.#nowMs + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** The time of the next pending timer, or undefined when none is pending. */
  nextTimerMs(): number | undefined {
    let earliest: number | undefined;
    for (const timer of this.#timers.values()) if (earliest === undefined || timer.atMs < earliest) earliest = timer.atMs;
    return earliest;
  }

  /** Fires every timer due at or before `targetMs`, in order, then sets the time to `targetMs`. */
  advanceTo(targetMs: number): void {
    for (;;) {
      let dueId: number | undefined;
      let dueAt = Infinity;
      for (const [id, timer] of this.#timers) {
        if (timer.atMs <= targetMs && (timer.atMs < dueAt || (timer.atMs === dueAt && id < (dueId ?? Infinity)))) {
          dueId = id;
          dueAt = timer.atMs;
        }
      }
      if (dueId === undefined) break;
      const timer = this.#timers.get(dueId)!;
      this.#timers.delete(dueId);
      this.#nowMs = Math.max(this.#nowMs, timer.atMs);
      timer.callback();
    }
    this.#nowMs = Math.max(this.#nowMs, targetMs);
  }

  advanceBy(deltaMs: number): void {
    this.advanceTo(this.#nowMs + deltaMs);
  }
}
