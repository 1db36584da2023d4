import type { Clock, TimerHandle } from '../../names/index.ts';

/**
 * The simulator's clock: one binary heap of timers ordered by (time, creation order), so a run
 * replays exactly. Time moves only in `runNext`. (names/world.ts VirtualClock scans all timers
 * per firing; a simulation keeps thousands in flight.)
 */
export class SimClock implements Clock {
  #nowMs = 0;
  #nextId = 1;
  readonly #heap: { atMs: number; id: number }[] = [];
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
    this.#push({ atMs: this.#nowMs + Math.max(0, delayMs), id });
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
      const top = this.#heap[0];
      if (top === undefined || top.atMs > limitMs) return false;
      this.#pop();
      const callback = this.#callbacks.get(top.id);
      if (callback === undefined) continue;
      this.#callbacks.delete(top.id);
      this.#nowMs = Math.max(this.#nowMs, top.atMs);
      callback();
      return true;
    }
  }

  #push(entry: { atMs: number; id: number }): void {
    const heap = this.#heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}

function before(a: { atMs: number; id: number }, b: { atMs: number; id: number }): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.id < b.id);
}
