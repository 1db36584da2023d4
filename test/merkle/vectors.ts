import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The transparency-dev probes, copied unchanged from /work/shared/vectors/merkle (README there). */
export const merkleVectorRoot = fileURLToPath(new URL('../vectors/merkle/', import.meta.url));

/** Every .json file under testdata/<kind>/, sorted, as paths relative to testdata/<kind>/. */
export function probeFiles(kind: string): string[] {
  const base = join(merkleVectorRoot, 'testdata', kind);
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(base, relative)).sort()) {
      const path = join(relative, name);
      if (statSync(join(base, path)).isDirectory()) walk(path);
      else if (name.endsWith('.json')) found.push(path);
    }
  };
  walk('');
  return found;
}

/**
 * Reads a probe. Go writes []byte as base64 and nil slices as null. One probe has a size of
 * 2^63 + 2, which JSON.parse rounds; the rounded value is still above 2^53 − 1, which every size
 * check rejects, as it must reject the exact value.
 */
export function readProbe<T>(kind: string, path: string): T {
  return JSON.parse(readFileSync(join(merkleVectorRoot, 'testdata', kind, path), 'utf8')) as T;
}

export function base64(value: string | null): Uint8Array {
  return new Uint8Array(Buffer.from(value ?? '', 'base64'));
}

export function base64List(values: readonly string[] | null): Uint8Array[] {
  return (values ?? []).map(base64);
}
