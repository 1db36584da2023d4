import type { Clock, TimerHandle } from '../../names/index.ts';
import { EventQueue } from '../../rendezvous/net/event-queue.ts';

/**
 * The simulator's clock: timers in rendezvous/net's EventQueue, ordered by (time, creation
 * order), so a run replays exactly. Time moves only in `runNext`. (names/world.ts VirtualClock scans all timers
 * per firing; a simulation keeps thousands in flight.)
 */
export class SimClock implements Clock {
  #nowMs = 0;
  #nextId = 1;
  /** Timer ids by due time; ties in creation order, which is id order. */
  readonly #queue = new EventQueue<number>();
  readonly #callbacks = new Map<number, () => void>();

  nowMs(): number {
    return this.#nowMs;
  }

  wallMs(): number {
    return 1_700_000_000_000 + this.#nowMs;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    this.#callbacks.set(id, callback);
    this.#queue.push(this.#nowMs + Math.max(0, delayMs), id);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.#callbacks.delete(handle.id);
  }

  get pending(): number {
    return this.#callbacks.size;
  }

  /** Fires the earliest live timer; false when none is left or the next is after `limitMs`. */
  runNext(limitMs = Infinity): boolean {
    for (;;) {
      const atMs = this.#queue.peekMs();
      if (atMs === undefined || atMs > limitMs) return false;
      const id = this.#queue.popDue(atMs)!;
      const callback = this.#callbacks.get(id);
      if (callback === undefined) continue;
      this.#callbacks.delete(id);
      this.#nowMs = Math.max(this.#nowMs, atMs);
      callback();
      return true;
    }
  }
}
