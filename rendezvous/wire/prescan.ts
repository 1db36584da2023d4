import { isUtf8 } from 'node:buffer';
import * as limits from '../constants.ts';
import { RendezvousError, type WireErrorCode } from '../errors.ts';

/**
 * A structural pre-scan of msgpack bytes: it walks the headers without building any
 * value, so msgpackr is only ever handed a buffer already known to be within every
 * limit. It enforces the size, depth, element, array, map, string and bin limits,
 * allows only nil, bool, integers, str, bin, array and map (msgpack spec "Formats"),
 * requires map keys to be UTF-8 strings without duplicates, checks that every string
 * is valid UTF-8, and that the bytes hold exactly one value.
 *
 * The walk is iterative with a fixed stack of `wireDepthMax` levels; a nesting bomb
 * stops at the first level too many. Returns null when the bytes are acceptable.
 */
export function prescanMsgpack(bytes: Uint8Array): RendezvousError | null {
  const end = bytes.length;
  if (end > wireMessageBytesMax) return failure('TOO_LARGE', 0, `${end} bytes exceed the message limit of ${wireMessageBytesMax}`);
  let position = 0;
  let depth = 0;
  let elements = 0;
  remaining[0] = 1; // the virtual root holds the one top-level value
  isMap[0] = 0;
  for (;;) {
    while (depth > 0 && remaining[depth] === 0) depth -= 1;
    if (remaining[depth] === 0) break;
    remaining[depth]! -= 1;
    // a map at this depth holds 2n values: key, value, key, value... so an odd remainder is a key
    const isKey = isMap[depth] === 1 && remaining[depth]! % 2 === 1;
    elements += 1;
    if (elements > wireElementCountMax) return failure('TOO_MANY_ELEMENTS', position, `more than ${wireElementCountMax} values`);
    const headerFailure = readHeader(bytes, position);
    if (headerFailure !== null) return headerFailure;
    if (isKey && header.kind !== HeaderKind.string) return failure('FORBIDDEN_TYPE', position, 'a map key must be a string');
    const bodyStart = position + header.headerBytes;
    const length = header.length;
    switch (header.kind) {
      case HeaderKind.scalar:
        if (length > end - bodyStart) return truncated(position);
        position = bodyStart + length;
        break;
      case HeaderKind.string: {
        const limit = isKey ? wireKeyBytesMax : wireStringBytesMax;
        if (length > limit) return failure('STRING_TOO_LONG', position, `a ${isKey ? 'key' : 'string'} of ${length} bytes exceeds the limit of ${limit}`);
        if (length > end - bodyStart) return truncated(position);
        if (!validUtf8(bytes, bodyStart, bodyStart + length)) return failure('MALFORMED', position, 'a string is not valid UTF-8');
        if (isKey) {
          const duplicate = recordKey(bytes, depth, bodyStart, length);
          if (duplicate !== null) return duplicate;
        }
        position = bodyStart + length;
        break;
      }
      case HeaderKind.bin:
        if (length > wireBinBytesMax) return failure('BYTES_TOO_LONG', position, `a bin of ${length} bytes exceeds the limit of ${wireBinBytesMax}`);
        if (length > end - bodyStart) return truncated(position);
        position = bodyStart + length;
        break;
      case HeaderKind.array:
      case HeaderKind.map: {
        const map = header.kind === HeaderKind.map;
        if (map && length > wireMapSizeMax) return failure('MAP_TOO_LARGE', position, `a map of ${length} entries exceeds the limit of ${wireMapSizeMax}`);
        if (!map && length > wireArrayLengthMax) return failure('ARRAY_TOO_LONG', position, `an array of ${length} items exceeds the limit of ${wireArrayLengthMax}`);
        if (depth + 1 > wireDepthMax) return failure('TOO_DEEP', position, `containers nested deeper than ${wireDepthMax}`);
        const values = map ? 2 * length : length;
        if (values > end - bodyStart) return truncated(position); // every value takes at least one byte
        depth += 1;
        remaining[depth] = values;
        isMap[depth] = map ? 1 : 0;
        keyCount[depth] = 0;
        position = bodyStart;
        break;
      }
    }
  }
  if (position !== end) return failure('TRAILING_BYTES', position, `${end - position} bytes after the message`);
  return null;
}

// Module-level copies: an imported binding may be a getter call under tsx, and the walk reads these per value.
const wireArrayLengthMax = limits.wireArrayLengthMax;
const wireBinBytesMax = limits.wireBinBytesMax;
const wireDepthMax = limits.wireDepthMax;
const wireElementCountMax = limits.wireElementCountMax;
const wireKeyBytesMax = limits.wireKeyBytesMax;
const wireMapSizeMax = limits.wireMapSizeMax;
const wireMessageBytesMax = limits.wireMessageBytesMax;
const wireStringBytesMax = limits.wireStringBytesMax;

const HeaderKind = { scalar: 0, string: 1, bin: 2, array: 3, map: 4 } as const;
type HeaderKind = (typeof HeaderKind)[keyof typeof HeaderKind];

// Scratch state of the walk, reused across calls: the walk is synchronous and never re-entered.
const header: { kind: HeaderKind; headerBytes: number; length: number } = { kind: HeaderKind.scalar, headerBytes: 1, length: 0 };
const remaining = new Uint32Array(wireDepthMax + 1);
const isMap = new Uint8Array(wireDepthMax + 1);
const keyCount = new Uint32Array(wireDepthMax + 1);
const keyStart = new Uint32Array((wireDepthMax + 1) * wireMapSizeMax);
const keyLength = new Uint32Array((wireDepthMax + 1) * wireMapSizeMax);
const keyHash = new Int32Array((wireDepthMax + 1) * wireMapSizeMax);

/** Decodes the header at `position` into `header`: its kind, its size, and the length it announces. */
function readHeader(bytes: Uint8Array, position: number): RendezvousError | null {
  if (position >= bytes.length) return truncated(position);
  const token = bytes[position]!;
  if (token <= 0x7f || token >= 0xe0) return setHeader(HeaderKind.scalar, 1, 0); // positive and negative fixint
  if (token <= 0x8f) return setHeader(HeaderKind.map, 1, token & 0x0f);
  if (token <= 0x9f) return setHeader(HeaderKind.array, 1, token & 0x0f);
  if (token <= 0xbf) return setHeader(HeaderKind.string, 1, token & 0x1f);
  switch (token) {
    case 0xc0: // nil
    case 0xc2: // false
    case 0xc3: // true
      return setHeader(HeaderKind.scalar, 1, 0);
    case 0xc1:
      return failure('MALFORMED', position, 'byte 0xc1 is never used in msgpack');
    case 0xc4: return withLength(bytes, position, HeaderKind.bin, 1);
    case 0xc5: return withLength(bytes, position, HeaderKind.bin, 2);
    case 0xc6: return withLength(bytes, position, HeaderKind.bin, 4);
    case 0xca:
    case 0xcb:
      return failure('FORBIDDEN_TYPE', position, 'floats are not allowed');
    case 0xcc: case 0xd0: return setHeader(HeaderKind.scalar, 1, 1);
    case 0xcd: case 0xd1: return setHeader(HeaderKind.scalar, 1, 2);
    case 0xce: case 0xd2: return setHeader(HeaderKind.scalar, 1, 4);
    case 0xcf: case 0xd3: return setHeader(HeaderKind.scalar, 1, 8);
    case 0xd9: return withLength(bytes, position, HeaderKind.string, 1);
    case 0xda: return withLength(bytes, position, HeaderKind.string, 2);
    case 0xdb: return withLength(bytes, position, HeaderKind.string, 4);
    case 0xdc: return withLength(bytes, position, HeaderKind.array, 2);
    case 0xdd: return withLength(bytes, position, HeaderKind.array, 4);
    case 0xde: return withLength(bytes, position, HeaderKind.map, 2);
    case 0xdf: return withLength(bytes, position, HeaderKind.map, 4);
    default: // 0xc7-0xc9 ext 8/16/32 and 0xd4-0xd8 fixext, which includes the timestamp type (-1)
      return failure('FORBIDDEN_TYPE', position, `extension types are not allowed (0x${token.toString(16)})`);
  }
}

function setHeader(kind: HeaderKind, headerBytes: number, length: number): null {
  header.kind = kind;
  header.headerBytes = headerBytes;
  header.length = length;
  return null;
}

/** A header whose length follows the type byte as a big-endian integer of `size` bytes. */
function withLength(bytes: Uint8Array, position: number, kind: HeaderKind, size: 1 | 2 | 4): RendezvousError | null {
  if (size > bytes.length - position - 1) return truncated(position);
  let length = 0;
  for (let index = 1; index <= size; index += 1) length = length * 256 + bytes[position + index]!;
  return setHeader(kind, 1 + size, length);
}

/** Remembers a key of the map at `depth`; a key seen before in the same map is an error. */
function recordKey(bytes: Uint8Array, depth: number, start: number, length: number): RendezvousError | null {
  const hash = fnv1a(bytes, start, length);
  const base = depth * wireMapSizeMax;
  const count = keyCount[depth]!;
  for (let index = base; index < base + count; index += 1) {
    if (keyHash[index] === hash && keyLength[index] === length && sameBytes(bytes, keyStart[index]!, start, length)) {
      const name = Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('utf8');
      return failure('DUPLICATE_KEY', start, `key ${JSON.stringify(name)} appears twice in one map`);
    }
  }
  keyHash[base + count] = hash;
  keyStart[base + count] = start;
  keyLength[base + count] = length;
  keyCount[depth] = count + 1;
  return null;
}

/** FNV-1a, 32-bit: a cheap filter so that a map of crafted keys costs O(n²) integer comparisons, not byte scans. */
function fnv1a(bytes: Uint8Array, start: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < start + length; index += 1) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
  return hash;
}

function sameBytes(bytes: Uint8Array, first: number, second: number, length: number): boolean {
  for (let index = 0; index < length; index += 1) {
    if (bytes[first + index] !== bytes[second + index]) return false;
  }
  return true;
}

/** Short ASCII strings (keys, most field values) are checked here; anything else by node's native isUtf8. */
function validUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start > 64) return isUtf8(bytes.subarray(start, end));
  for (let index = start; index < end; index += 1) {
    if (bytes[index]! >= 0x80) return isUtf8(bytes.subarray(index, end)); // ASCII so far is whole characters
  }
  return true;
}

function truncated(position: number): RendezvousError {
  return failure('TRUNCATED', position, 'the bytes end inside a value');
}

function failure(code: WireErrorCode, position: number, detail: string): RendezvousError {
  return new RendezvousError(code, `msgpack at byte ${position}: ${detail}`);
}
