/**
 * A min-heap of timed events ordered by (atMs, insertion order), so events due at the same
 * time run in the order they were scheduled and a seeded simulation replays exactly.
 */
export class EventQueue<T> {
  #heap: { atMs: number; order: number; value: T }[] = [];
  #order = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(atMs: number, value: T): void {
    const heap = this.#heap;
    heap.push({ atMs, order: this.#order++, value });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      swap(heap, index, parent);
      index = parent;
    }
  }

  peekMs(): number | undefined {
    return this.#heap[0]?.atMs;
  }

  /** Removes and returns the earliest event if it is due at or before `nowMs`. */
  popDue(nowMs: number): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.atMs > nowMs) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === index) break;
        swap(heap, index, smallest);
        index = smallest;
      }
    }
    return top.value;
  }

  clear(): void {
    this.#heap = [];
  }
}

function before(a: { atMs: number; order: number }, b: { atMs: number; order: number }): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}

function swap<T>(array: T[], i: number, j: number): void {
  const held = array[i]!;
  array[i] = array[j]!;
  array[j] = held;
}
