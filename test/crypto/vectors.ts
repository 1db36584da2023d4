import { readFileSync } from 'node:fs';
import { hexToBytes } from '../../names/index.ts';

/** Reads a vector file kept unchanged under test/vectors/ (copied from /work/shared/vectors). */
export function readVectorText(path: string): string {
  return readFileSync(new URL(`../vectors/${path}`, import.meta.url), 'utf8');
}

export function readVectorJson<T>(path: string): T {
  return JSON.parse(readVectorText(path)) as T;
}

/** The element at `index`; a vector that points past its own table is a broken vector file. */
export function pick<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`vector index ${index} is outside a table of ${list.length}`);
  return item;
}

export function pickAll<T>(list: readonly T[], indices: readonly number[]): T[] {
  return indices.map((index) => pick(list, index));
}

export const hex = hexToBytes;
