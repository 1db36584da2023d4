import fc from 'fast-check';
import type { Fields, Kind, MessageDefinition } from '../../rendezvous/index.ts';

/**
 * fast-check arbitraries derived from a schema, so every message type, present and future,
 * gets round-trip tests without writing generators by hand. Sizes are biased towards the
 * edges (empty, the limit, integer-format boundaries) and kept small elsewhere for speed.
 */
export function arbitraryOf(kind: Kind): fc.Arbitrary<unknown> {
  switch (kind.kind) {
    case 'bytes':
      return bytesArbitrary(kind.lengthMin, kind.lengthMax);
    case 'uint':
      return integerArbitrary(BigInt(kind.min), BigInt(kind.max)).map(Number);
    case 'u64':
      return integerArbitrary(kind.min, kind.max);
    case 'string':
      return stringArbitrary(kind.bytesMax, kind.normalization);
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...kind.values);
    case 'array':
      return fc.array(arbitraryOf(kind.of), { maxLength: Math.min(kind.lengthMax, 6) });
    case 'optional':
      return arbitraryOf(kind.of);
    case 'object':
      return recordOf(kind.fields);
  }
}

/** Optional fields are sometimes absent (the key missing, never present as undefined). */
export function recordOf(fields: Fields): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];
  for (const [name, kind] of Object.entries(fields)) {
    model[name] = arbitraryOf(kind);
    if (kind.kind !== 'optional') requiredKeys.push(name);
  }
  // fc.record gives null-prototype objects when some keys are optional; decode gives plain ones
  return fc.record(model, { requiredKeys }).map((value) => ({ ...value }));
}

export function messageArbitrary<Type extends string>(definition: MessageDefinition<Type>): fc.Arbitrary<{ type: Type } & Record<string, unknown>> {
  return recordOf(definition.schema.fields).map((fields) => ({ type: definition.type, ...fields }));
}

/** msgpack integer format boundaries, where an encoder is most likely to pick the wrong header. */
const integerEdges = [0n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xffffn, 0x1_0000n, 0xffff_ffffn, 0x1_0000_0000n, 2n ** 53n - 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

function integerArbitrary(min: bigint, max: bigint): fc.Arbitrary<bigint> {
  const edges = [min, max, ...integerEdges.filter((edge) => edge >= min && edge <= max)];
  return fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min, max }), fc.bigInt({ min, max: min + 300n < max ? min + 300n : max }));
}

function bytesArbitrary(lengthMin: number, lengthMax: number): fc.Arbitrary<Uint8Array> {
  const small = fc.uint8Array({ minLength: lengthMin, maxLength: Math.min(lengthMax, Math.max(lengthMin, 48)) });
  if (lengthMax === lengthMin || lengthMax > 70_000) return small;
  return fc.oneof({ arbitrary: small, weight: 9 }, { arbitrary: fc.uint8Array({ minLength: lengthMax, maxLength: lengthMax }), weight: 1 });
}

function stringArbitrary(bytesMax: number, normalization: 'NFC' | undefined): fc.Arbitrary<string> {
  const anyCodePoints = fc.string({ unit: 'binary', maxLength: Math.min(Math.floor(bytesMax / 4), 40) });
  const graphemes = fc.string({ unit: 'grapheme', maxLength: Math.min(Math.floor(bytesMax / 40), 10) });
  const variants: fc.Arbitrary<string>[] = [anyCodePoints, graphemes];
  if (bytesMax <= 70_000) {
    // at the limit, in one-, two- and four-byte characters
    variants.push(fc.constantFrom('x'.repeat(bytesMax), 'é'.repeat(Math.floor(bytesMax / 2)), '😀'.repeat(Math.floor(bytesMax / 4))));
  }
  const text = fc.oneof(...variants);
  if (normalization === undefined) return text.filter((value) => Buffer.byteLength(value) <= bytesMax);
  return text.map((value) => value.normalize(normalization)).filter((value) => Buffer.byteLength(value) <= bytesMax);
}
