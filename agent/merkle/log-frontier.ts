import assert from 'node:assert/strict';
import { AgentError } from '../errors.ts';
import { expectHash, expectHashes, expectSize, half, isOdd } from './checks.ts';
import { emptyLogRoot, hashLogLeaf, hashLogNode } from './hash.ts';

/**
 * The compact range [0, size) of an RFC 9162 log: one complete-subtree hash per set bit of the
 * size, largest first. Enough to append and to compute the root, in O(log n) memory, without
 * the leaves. A wallet keeps one per key it follows, to check each new batch of events against
 * the committed (count, root); the ledger can keep one per key instead of a whole event log.
 */
export class LogFrontier {
  private constructor(
    private count: number,
    private readonly peaks: Uint8Array[],
  ) {}

  static empty(): LogFrontier {
    return new LogFrontier(0, []);
  }

  /** Restores a frontier from its size and peaks (as `peaks` returned them). */
  static fromPeaks(size: number, peaks: readonly Uint8Array[]): LogFrontier {
    expectSize(size, 'size');
    expectHashes(peaks, 'peaks');
    if (peaks.length !== popCount(size)) {
      throw new AgentError('MERKLE_PROOF_LENGTH', `frontier: size ${size} has ${popCount(size)} peaks, got ${peaks.length}`);
    }
    return new LogFrontier(size, peaks.map((peak) => peak.slice()));
  }

  static fromLeafData(leaves: readonly Uint8Array[]): LogFrontier {
    const frontier = LogFrontier.empty();
    for (const data of leaves) frontier.appendData(data);
    return frontier;
  }

  get size(): number {
    return this.count;
  }

  get peakHashes(): Uint8Array[] {
    return this.peaks.map((peak) => peak.slice());
  }

  clone(): LogFrontier {
    return new LogFrontier(this.count, [...this.peaks]);
  }

  appendData(data: Uint8Array): void {
    this.appendLeafHash(hashLogLeaf(data));
  }

  appendLeafHash(leafHash: Uint8Array): void {
    expectHash(leafHash, 'leafHash');
    let node: Uint8Array = leafHash.slice();
    // Each trailing 1 bit of the old size is a peak the new leaf completes.
    for (let index = this.count; isOdd(index); index = half(index)) {
      const left = this.peaks.pop();
      assert.ok(left !== undefined, 'log frontier: every set bit of the size has its peak');
      node = hashLogNode(left, node);
    }
    this.peaks.push(node);
    this.count++;
  }

  /** MTH(D[0:size]): the peaks folded from the right (RFC 9162 §2.1.1). */
  root(): Uint8Array {
    let hash = this.peaks[this.peaks.length - 1];
    if (hash === undefined) return emptyLogRoot.slice();
    for (let index = this.peaks.length - 2; index >= 0; index--) {
      const peak = this.peaks[index];
      if (peak !== undefined) hash = hashLogNode(peak, hash);
    }
    return hash.slice();
  }
}

function popCount(value: number): number {
  let bits = 0;
  for (let rest = value; rest > 0; rest = half(rest)) if (isOdd(rest)) bits++;
  return bits;
}
