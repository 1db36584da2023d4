import assert from 'node:assert/strict';
import {
  wireArrayLengthMax,
  wireBinBytesMax,
  wireDepthMax,
  wireElementCountMax,
  wireKeyBytesMax,
  wireMapSizeMax,
  wireMessageBytesMax,
  wireStringBytesMax,
} from '../constants.ts';
import type { Kind, ObjectKind } from './schema.ts';

/**
 * Upper bounds of what a schema can produce, checked when a message type is defined:
 * every value a schema accepts must also pass the pre-scan, otherwise a valid message
 * could be unsendable. A schema outside the wire limits is a bug, so this asserts.
 */
export function assertWithinWireLimits(name: string, schema: ObjectKind): void {
  checkKind(schema, name);
  const depth = depthOf(schema);
  assert.ok(depth <= wireDepthMax, `${name}: nests ${depth} containers, the wire allows ${wireDepthMax}`);
  const elements = elementsMax(schema);
  assert.ok(elements <= wireElementCountMax, `${name}: may hold ${elements} values, the wire allows ${wireElementCountMax}`);
  const size = encodedBytesMax(schema);
  assert.ok(size <= wireMessageBytesMax, `${name}: may encode to ${size} bytes, the wire allows ${wireMessageBytesMax}`);
}

function checkKind(kind: Kind, path: string): void {
  switch (kind.kind) {
    case 'bytes':
      assert.ok(kind.lengthMax <= wireBinBytesMax, `${path}: bytes up to ${kind.lengthMax} exceed the wire limit ${wireBinBytesMax}`);
      return;
    case 'string':
      assert.ok(kind.bytesMax <= wireStringBytesMax, `${path}: strings up to ${kind.bytesMax} bytes exceed the wire limit ${wireStringBytesMax}`);
      return;
    case 'enum':
      for (const value of kind.values) assert.ok(utf8Length(value) <= wireStringBytesMax, `${path}: enum value too long`);
      return;
    case 'array':
      assert.ok(kind.lengthMax <= wireArrayLengthMax, `${path}: arrays up to ${kind.lengthMax} exceed the wire limit ${wireArrayLengthMax}`);
      checkKind(kind.of, `${path}[]`);
      return;
    case 'optional':
      checkKind(kind.of, path);
      return;
    case 'object': {
      const names = Object.keys(kind.fields);
      assert.ok(names.length <= wireMapSizeMax, `${path}: ${names.length} fields exceed the wire map limit ${wireMapSizeMax}`);
      for (const name of names) {
        assert.ok(utf8Length(name) <= wireKeyBytesMax, `${path}.${name}: the name exceeds the wire key limit ${wireKeyBytesMax}`);
        checkKind(kind.fields[name]!, `${path}.${name}`);
      }
      return;
    }
    case 'uint':
    case 'u64':
    case 'bool':
      return;
  }
}

/** Containers nested in a value of this kind, itself included. */
export function depthOf(kind: Kind): number {
  switch (kind.kind) {
    case 'array':
      return 1 + depthOf(kind.of);
    case 'optional':
      return depthOf(kind.of);
    case 'object':
      return 1 + Math.max(0, ...Object.values(kind.fields).map(depthOf));
    default:
      return 0;
  }
}

/** Most msgpack values (as the pre-scan counts them) in a value of this kind. */
export function elementsMax(kind: Kind): number {
  switch (kind.kind) {
    case 'array':
      return 1 + kind.lengthMax * elementsMax(kind.of);
    case 'optional':
      return elementsMax(kind.of);
    case 'object':
      return 1 + sum(Object.values(kind.fields).map((field) => 1 + elementsMax(field)));
    default:
      return 1;
  }
}

const headerBytesMax = 5; // str32, bin32, array32 and map32 headers
const integerBytesMax = 9; // uint64 and int64

/** Most bytes a value of this kind may encode to. */
export function encodedBytesMax(kind: Kind): number {
  switch (kind.kind) {
    case 'bytes':
      return headerBytesMax + kind.lengthMax;
    case 'string':
      return headerBytesMax + kind.bytesMax;
    case 'enum':
      return headerBytesMax + Math.max(...kind.values.map(utf8Length));
    case 'uint':
    case 'u64':
      return integerBytesMax;
    case 'bool':
      return 1;
    case 'array':
      return headerBytesMax + kind.lengthMax * encodedBytesMax(kind.of);
    case 'optional':
      return encodedBytesMax(kind.of);
    case 'object':
      return headerBytesMax + sum(Object.entries(kind.fields).map(([name, field]) => headerBytesMax + utf8Length(name) + encodedBytesMax(field)));
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
