import { performance } from 'node:perf_hooks';

/**
 * Runs `operation` for about `durationMs` and returns operations per second. Calls are batched so
 * reading the clock costs little next to a fast operation; a short warm-up lets the JIT settle.
 */
export function opsPerSecond(operation: () => unknown, durationMs: number): number {
  for (let index = 0; index < 3; index += 1) operation();
  let operations = 0;
  let batch = 1;
  const start = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < durationMs) {
    for (let index = 0; index < batch; index += 1) operation();
    operations += batch;
    elapsedMs = performance.now() - start;
    if (elapsedMs < durationMs / 50) batch *= 2;
  }
  return (operations * 1000) / elapsedMs;
}

/**
 * Measures two implementations of one thing side by side: they take turns in short slices, so a
 * burst of load from a neighbour on this shared machine hits both alike.
 */
export function comparePair(first: () => unknown, second: () => unknown, durationMs: number, slices = 4): [number, number] {
  let firstTotal = 0;
  let secondTotal = 0;
  for (let slice = 0; slice < slices; slice += 1) {
    firstTotal += opsPerSecond(first, durationMs / (2 * slices));
    secondTotal += opsPerSecond(second, durationMs / (2 * slices));
  }
  return [firstTotal / slices, secondTotal / slices];
}

/** comparePair for any number of implementations: each takes its turn in every slice. */
export function compareAll(operations: readonly (() => unknown)[], durationMs: number, slices = 4): number[] {
  const totals = operations.map(() => 0);
  for (let slice = 0; slice < slices; slice += 1) {
    operations.forEach((operation, index) => (totals[index]! += opsPerSecond(operation, durationMs / (operations.length * slices))));
  }
  return totals.map((total) => total / slices);
}
