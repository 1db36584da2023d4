import type { SeqRange } from './frames.ts';

/**
 * A set of sequence numbers kept as sorted, non-touching half-open ranges: the receiver's
 * record of fragments that arrived above its cumulative point. Fragments mostly arrive at
 * the top, so insertion searches from the end.
 */
export class RangeSet {
  readonly ranges: SeqRange[] = [];

  get size(): number {
    return this.ranges.length;
  }

  has(seq: number): boolean {
    const ranges = this.ranges;
    for (let index = ranges.length - 1; index >= 0; index--) {
      const range = ranges[index]!;
      if (seq >= range.end) return false;
      if (seq >= range.start) return true;
    }
    return false;
  }

  /** Adds `seq`; returns false when it was already present. */
  add(seq: number): boolean {
    const ranges = this.ranges;
    let index = ranges.length - 1;
    while (index >= 0 && ranges[index]!.start > seq) index--;
    // ranges[index] is the last range starting at or below seq (or index = -1)
    const below = index >= 0 ? ranges[index]! : undefined;
    if (below !== undefined && seq < below.end) return false;
    const above = ranges[index + 1];
    const joinsBelow = below !== undefined && below.end === seq;
    const joinsAbove = above !== undefined && above.start === seq + 1;
    if (joinsBelow && joinsAbove) {
      below.end = above.end;
      ranges.splice(index + 1, 1);
    } else if (joinsBelow) {
      below.end = seq + 1;
    } else if (joinsAbove) {
      above.start = seq;
    } else {
      ranges.splice(index + 1, 0, { start: seq, end: seq + 1 });
    }
    return true;
  }

  /** Removes and returns the lowest range if it starts at `seq`. */
  shiftIfStartsAt(seq: number): SeqRange | undefined {
    const first = this.ranges[0];
    if (first === undefined || first.start !== seq) return undefined;
    this.ranges.shift();
    return first;
  }
}
