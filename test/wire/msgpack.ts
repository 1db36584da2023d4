import { concatBytes } from '../../names/index.ts';

/**
 * A tiny msgpack writer, independent of msgpackr, for crafting buffers at and just past
 * each wire limit. Every header is the smallest one unless a width is asked for.
 */
export type Part = Uint8Array | number[];

export function pack(...parts: Part[]): Uint8Array {
  return concatBytes(...parts.map((part) => (part instanceof Uint8Array ? part : Uint8Array.from(part))));
}

export function mapHeader(size: number, width?: 16 | 32): Uint8Array {
  return header(size, width, 0x80, 0x0f, null, 0xde, 0xdf);
}

export function arrayHeader(length: number, width?: 16 | 32): Uint8Array {
  return header(length, width, 0x90, 0x0f, null, 0xdc, 0xdd);
}

export function stringHeader(length: number, width?: 8 | 16 | 32): Uint8Array {
  return header(length, width, 0xa0, 0x1f, 0xd9, 0xda, 0xdb);
}

export function binHeader(length: number, width?: 8 | 16 | 32): Uint8Array {
  return header(length, width, 0, -1, 0xc4, 0xc5, 0xc6);
}

export function str(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  return pack(stringHeader(bytes.length), bytes);
}

export function bin(bytes: Uint8Array): Uint8Array {
  return pack(binHeader(bytes.length), bytes);
}

export function uint(value: number): Uint8Array {
  if (value <= 0x7f) return Uint8Array.of(value);
  if (value <= 0xff) return Uint8Array.of(0xcc, value);
  if (value <= 0xffff) return Uint8Array.of(0xcd, value >> 8, value & 0xff);
  return pack([0xce], be(value, 4));
}

/** `{ v: 1, type, ...entries }` with the map header counting every entry given. */
export function envelope(type: string, entries: Part[] = [], extraEntries = 0): Uint8Array {
  return pack(mapHeader(2 + extraEntries), str('v'), [1], str('type'), str(type), ...entries);
}

function header(length: number, width: number | undefined, fixBase: number, fixMax: number, code8: number | null, code16: number, code32: number): Uint8Array {
  if (width === undefined) width = length <= fixMax ? 0 : code8 !== null && length <= 0xff ? 8 : length <= 0xffff ? 16 : 32;
  if (width === 0) return Uint8Array.of(fixBase | length);
  if (width === 8) return Uint8Array.of(code8!, length);
  if (width === 16) return pack([code16], be(length, 2));
  return pack([code32], be(length, 4));
}

function be(value: number, size: number): number[] {
  const out: number[] = [];
  for (let index = size - 1; index >= 0; index -= 1) out.push(Math.floor(value / 256 ** index) % 256);
  return out;
}
