import { RendezvousError, type WireErrorCode } from '../errors.ts';
import type { Fields, Kind, ObjectKind } from './schema.ts';

/**
 * Checks values against kinds and returns the typed value, or an error naming the field
 * (`chat.text`, `x.items[2].key`). Used on decoded msgpack (integers arrive as number or
 * bigint, bytes as Uint8Array, maps as plain objects) and on values given to encode.
 * Only own keys are read, and only the schema's names are copied into fresh objects, so a
 * `__proto__` or `constructor` key is just an unknown field.
 */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RendezvousError };

/**
 * Checks the fields of `source` against `schema` and copies them, in schema order, into `into`.
 * Keys in `ignoredKeys` are checked elsewhere (the envelope's `v` and `type`).
 */
export function checkFields(
  schema: ObjectKind,
  source: Record<string, unknown>,
  path: string,
  into: Record<string, unknown>,
  ignoredKeys: ReadonlySet<string> = noKeys,
): RendezvousError | null {
  const fields: Fields = schema.fields;
  for (const name of Object.keys(fields)) {
    const fieldPath = `${path}.${name}`;
    let kind = fields[name]!;
    if (!Object.hasOwn(source, name) || source[name] === undefined) {
      if (kind.kind === 'optional') continue;
      return fieldError('MISSING_FIELD', fieldPath, 'is missing');
    }
    if (kind.kind === 'optional') kind = kind.of;
    const checked = check(kind, source[name], fieldPath);
    if (!checked.ok) return checked.error;
    into[name] = checked.value;
  }
  for (const key of Object.keys(source)) {
    if (!Object.hasOwn(fields, key) && !ignoredKeys.has(key)) return fieldError('UNKNOWN_FIELD', `${path}.${key}`, 'is not a field of this message');
  }
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export function describe(value: unknown): string {
  if (value === null) return 'nil';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'bigint' || Number.isInteger(value)) return `the integer ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

const noKeys: ReadonlySet<string> = new Set();

function check(kind: Kind, value: unknown, path: string): Checked<unknown> {
  switch (kind.kind) {
    case 'bytes':
      if (!(value instanceof Uint8Array)) return bad(path, `expected bytes, got ${describe(value)}`);
      if (value.length < kind.lengthMin || value.length > kind.lengthMax) {
        const expected = kind.lengthMin === kind.lengthMax ? `${kind.lengthMax}` : `at most ${kind.lengthMax}`;
        return bad(path, `expected ${expected} bytes, got ${value.length}`);
      }
      return ok(value);
    case 'uint':
      return checkUint(kind.min, kind.max, value, path);
    case 'u64':
      return checkU64(kind.min, kind.max, value, path);
    case 'string':
      return checkString(kind.bytesMax, kind.normalization, value, path);
    case 'bool':
      return typeof value === 'boolean' ? ok(value) : bad(path, `expected a boolean, got ${describe(value)}`);
    case 'enum':
      if (typeof value === 'string' && (kind.values as readonly string[]).includes(value)) return ok(value);
      return bad(path, `expected one of ${kind.values.map((text) => JSON.stringify(text)).join(', ')}, got ${describeShort(value)}`);
    case 'array':
      return checkArray(kind.of, kind.lengthMax, value, path);
    case 'optional':
      return value === undefined ? ok(undefined) : check(kind.of, value, path);
    case 'object': {
      if (!isRecord(value)) return bad(path, `expected a map, got ${describe(value)}`);
      const into: Record<string, unknown> = {};
      const error = checkFields(kind, value, path, into);
      return error === null ? ok(into) : { ok: false, error };
    }
  }
}

function checkUint(min: number, max: number, value: unknown, path: string): Checked<unknown> {
  let number: number;
  if (typeof value === 'number' && Number.isSafeInteger(value)) number = value;
  else if (typeof value === 'bigint' && value >= BigInt(min) && value <= BigInt(max)) number = Number(value);
  else if (typeof value === 'bigint') number = Number.POSITIVE_INFINITY; // reported as out of range below
  else return bad(path, `expected an integer, got ${describe(value)}`);
  if (number < min || number > max) return bad(path, `expected an integer in ${min}..${max}, got ${value}`);
  return ok(number);
}

function checkU64(min: bigint, max: bigint, value: unknown, path: string): Checked<unknown> {
  let integer: bigint;
  if (typeof value === 'bigint') integer = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) integer = BigInt(value);
  else return bad(path, `expected an integer, got ${describe(value)}`);
  if (integer < min || integer > max) return bad(path, `expected an integer in ${min}..${max}, got ${integer}`);
  return ok(integer);
}

function checkString(bytesMax: number, normalization: 'NFC' | undefined, value: unknown, path: string): Checked<unknown> {
  if (typeof value !== 'string') return bad(path, `expected a string, got ${describe(value)}`);
  // a UTF-16 code unit never takes more than 3 bytes of UTF-8, so short strings skip the count
  if (value.length * 3 > bytesMax) {
    const length = Buffer.byteLength(value, 'utf8');
    if (length > bytesMax) return bad(path, `expected at most ${bytesMax} bytes of UTF-8, got ${length}`);
  }
  if (normalization !== undefined && value.normalize(normalization) !== value) return bad(path, `expected a string in Unicode ${normalization}`);
  return ok(value);
}

function checkArray(item: Kind, lengthMax: number, value: unknown, path: string): Checked<unknown> {
  if (!Array.isArray(value)) return bad(path, `expected an array, got ${describe(value)}`);
  if (value.length > lengthMax) return bad(path, `expected at most ${lengthMax} items, got ${value.length}`);
  const items: unknown[] = [];
  for (let index = 0; index < value.length; index += 1) {
    const checked = check(item, value[index], `${path}[${index}]`);
    if (!checked.ok) return checked;
    items.push(checked.value);
  }
  return ok(items);
}

function describeShort(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}…` : value) : describe(value);
}

function ok(value: unknown): Checked<unknown> {
  return { ok: true, value };
}

function bad(path: string, detail: string): Checked<unknown> {
  return { ok: false, error: fieldError('BAD_FIELD', path, detail) };
}

export function fieldError(code: WireErrorCode, path: string, detail: string): RendezvousError {
  return new RendezvousError(code, `${path}: ${detail}`, { field: path });
}
