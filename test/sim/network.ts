import type { Rng } from '../../names/index.ts';
import type { SimClock } from './clock.ts';

/**
 * A message-level virtual network on the simulator's clock: every copy of a message may be
 * lost, duplicated, delayed (which reorders), and dropped at a partition boundary. Endpoints
 * are names; a down endpoint (a crashed peer) receives nothing.
 */

export type LinkProfile = {
  /** Probability a copy is lost. */
  readonly loss: number;
  /** Probability a copy is delivered twice. */
  readonly duplicate: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  /** Asynchrony: probability a copy is held back by up to `spikeMaxMs` more (0 after the faults end). */
  readonly spike: number;
  readonly spikeMaxMs: number;
};

export type NetworkStats = { sent: number; delivered: number; lost: number; duplicated: number; cut: number };

export class SimNetwork {
  readonly #clock: SimClock;
  readonly #rng: Rng;
  readonly #handlers = new Map<string, (from: string, bytes: Uint8Array) => void>();
  readonly #groupOf = new Map<string, number>();
  #profile: LinkProfile;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, cut: 0 };

  constructor(clock: SimClock, rng: Rng, profile: LinkProfile) {
    this.#clock = clock;
    this.#rng = rng;
    this.#profile = profile;
  }

  get endpoints(): string[] {
    return [...this.#handlers.keys()];
  }

  setProfile(profile: LinkProfile): void {
    this.#profile = profile;
  }

  /** Attaches (or re-attaches after a restart) an endpoint's receive handler. */
  attach(name: string, handler: (from: string, bytes: Uint8Array) => void): void {
    this.#handlers.set(name, handler);
  }

  /** Detaches an endpoint (a crash): copies in flight to it are dropped on arrival. */
  detach(name: string): void {
    this.#handlers.delete(name);
  }

  /** Endpoints in different groups cannot reach each other; unnamed endpoints are in group 0. */
  partition(groups: readonly (readonly string[])[]): void {
    this.#groupOf.clear();
    groups.forEach((group, index) => group.forEach((name) => this.#groupOf.set(name, index + 1)));
  }

  heal(): void {
    this.#groupOf.clear();
  }

  connected(a: string, b: string): boolean {
    return (this.#groupOf.get(a) ?? 0) === (this.#groupOf.get(b) ?? 0);
  }

  broadcast(from: string, bytes: Uint8Array, all: readonly string[]): void {
    for (const to of all) if (to !== from) this.send(from, to, bytes);
  }

  send(from: string, to: string, bytes: Uint8Array, extraDelayMs = 0): void {
    this.stats.sent++;
    if (!this.connected(from, to)) {
      this.stats.cut++;
      return;
    }
    const profile = this.#profile;
    if (this.#rng.unit() < profile.loss) {
      this.stats.lost++;
      return;
    }
    const copies = this.#rng.unit() < profile.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let copy = 0; copy < copies; copy++) {
      let delayMs = extraDelayMs + profile.delayMinMs + this.#rng.below(profile.delayMaxMs - profile.delayMinMs + 1);
      if (profile.spike > 0 && this.#rng.unit() < profile.spike) delayMs += this.#rng.below(profile.spikeMaxMs + 1);
      this.#clock.setTimer(delayMs, () => {
        // A partition raised while the copy was in flight cuts it too.
        if (!this.connected(from, to)) {
          this.stats.cut++;
          return;
        }
        const handler = this.#handlers.get(to);
        if (handler === undefined) return;
        this.stats.delivered++;
        handler(from, bytes);
      });
    }
  }
}
