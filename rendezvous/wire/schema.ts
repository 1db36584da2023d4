import assert from 'node:assert/strict';

/**
 * A small declarative schema for message fields. A kind is plain data (so tests can derive
 * fast-check arbitraries and docs can print it); `ValueOf<K>` is the TypeScript type a kind
 * decodes to. check.ts validates decoded values against kinds, encode.ts writes them.
 */

export interface BytesKind {
  readonly kind: 'bytes';
  readonly lengthMin: number;
  readonly lengthMax: number;
}
/** An integer that is a safe JavaScript number; msgpack may carry it in any integer format. */
export interface UintKind {
  readonly kind: 'uint';
  readonly min: number;
  readonly max: number;
}
/** A 64-bit unsigned integer as a bigint; msgpack may carry it in any integer format up to uint64. */
export interface U64Kind {
  readonly kind: 'u64';
  readonly min: bigint;
  readonly max: bigint;
}
export interface StringKind {
  readonly kind: 'string';
  /** Limit on the UTF-8 encoding, not on UTF-16 code units. */
  readonly bytesMax: number;
  /** When set, a string must already be in this Unicode normalization form. */
  readonly normalization: 'NFC' | undefined;
}
export interface BoolKind {
  readonly kind: 'bool';
}
export interface EnumKind<Value extends string = string> {
  readonly kind: 'enum';
  readonly values: readonly Value[];
}
export interface ArrayKind<Item extends Kind = Kind> {
  readonly kind: 'array';
  readonly of: Item;
  readonly lengthMax: number;
}
/** Only as an object field: an absent key. Encoding omits it; a nil value is not absence. */
export interface OptionalKind<Inner extends Kind = Kind> {
  readonly kind: 'optional';
  readonly of: Inner;
}
export interface ObjectKind<Shape extends Fields = Fields> {
  readonly kind: 'object';
  readonly fields: Shape;
}

export type Kind = BytesKind | UintKind | U64Kind | StringKind | BoolKind | EnumKind | ArrayKind | OptionalKind | ObjectKind;
export type Fields = { readonly [name: string]: Kind };

/** The value a kind decodes to. */
export type ValueOf<K extends Kind> = K extends BytesKind
  ? Uint8Array
  : K extends UintKind
    ? number
    : K extends U64Kind
      ? bigint
      : K extends StringKind
        ? string
        : K extends BoolKind
          ? boolean
          : K extends EnumKind<infer Value>
            ? Value
            : K extends ArrayKind<infer Item>
              ? readonly ValueOf<Item>[]
              : K extends ObjectKind<infer Shape>
                ? ObjectValue<Shape>
                : never;

type OptionalNames<Shape extends Fields> = { [Name in keyof Shape]: Shape[Name] extends OptionalKind ? Name : never }[keyof Shape];
type RequiredNames<Shape extends Fields> = Exclude<keyof Shape, OptionalNames<Shape>>;
type Simplify<T> = { [Key in keyof T]: T[Key] } & {};

export type ObjectValue<Shape extends Fields> = Simplify<
  { [Name in RequiredNames<Shape>]: ValueOf<Shape[Name]> } & {
    [Name in OptionalNames<Shape>]?: Shape[Name] extends OptionalKind<infer Inner> ? ValueOf<Inner> : never;
  }
>;

// ── Constructors ─────────────────────────────────────────────────────────────

/** Bytes of exactly `length`, or of at most `lengthMax`. */
export function bytes(size: { length: number } | { lengthMax: number }): BytesKind {
  const [lengthMin, lengthMax] = 'length' in size ? [size.length, size.length] : [0, size.lengthMax];
  assert.ok(Number.isSafeInteger(lengthMin) && lengthMin >= 0 && lengthMin <= lengthMax, `bytes: bad size ${JSON.stringify(size)}`);
  return { kind: 'bytes', lengthMin, lengthMax };
}

export function uint(range: { min?: number; max?: number } = {}): UintKind {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  assert.ok(Number.isSafeInteger(min) && Number.isSafeInteger(max) && 0 <= min && min <= max, `uint: bad range ${min}..${max}`);
  return { kind: 'uint', min, max };
}

export const u64Max = 2n ** 64n - 1n;

export function u64(range: { min?: bigint; max?: bigint } = {}): U64Kind {
  const { min = 0n, max = u64Max } = range;
  assert.ok(0n <= min && min <= max && max <= u64Max, `u64: bad range ${min}..${max}`);
  return { kind: 'u64', min, max };
}

export function string(options: { bytesMax: number; normalization?: 'NFC' }): StringKind {
  assert.ok(Number.isSafeInteger(options.bytesMax) && options.bytesMax >= 0, `string: bad bytesMax ${options.bytesMax}`);
  return { kind: 'string', bytesMax: options.bytesMax, normalization: options.normalization };
}

export function bool(): BoolKind {
  return { kind: 'bool' };
}

export function oneOf<const Value extends string>(values: readonly Value[]): EnumKind<Value> {
  assert.ok(values.length > 0 && new Set(values).size === values.length, `oneOf: values must be distinct and non-empty`);
  return { kind: 'enum', values };
}

export function arrayOf<Item extends Kind>(of: Item, options: { lengthMax: number }): ArrayKind<Item> {
  assert.ok(of.kind !== 'optional', 'arrayOf: an array item cannot be optional');
  assert.ok(Number.isSafeInteger(options.lengthMax) && options.lengthMax >= 0, `arrayOf: bad lengthMax ${options.lengthMax}`);
  return { kind: 'array', of, lengthMax: options.lengthMax };
}

export function optional<Inner extends Kind>(of: Inner): OptionalKind<Inner> {
  assert.ok(of.kind !== 'optional', 'optional: already optional');
  return { kind: 'optional', of };
}

/**
 * A record with named fields, encoded as a msgpack map in field order. Names are plain
 * identifiers: no `__proto__`, and no array-index names, whose JavaScript key order would
 * not follow insertion order and so would break deterministic encoding.
 */
export function object<const Shape extends Fields>(fields: Shape): ObjectKind<Shape> {
  for (const name of Object.keys(fields)) assert.match(name, fieldNamePattern, `object: bad field name ${JSON.stringify(name)}`);
  return { kind: 'object', fields };
}

export const fieldNamePattern = /^[a-z][A-Za-z0-9]*$/;
