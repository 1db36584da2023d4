import { Packr } from 'msgpackr';
import { wireMessageBytesMax } from '../constants.ts';
import { RendezvousError } from '../errors.ts';
import { checkFields, fieldError } from './check.ts';
import { envelopeKeys, wireVersion } from './envelope.ts';
import { wireRegistry, type WireMessage } from './messages.ts';
import type { MessageRegistry } from './registry.ts';
import type { Fields, Kind } from './schema.ts';

/**
 * Encodes `{ v, type, ...fields }` with the fields in schema order, so equal messages give
 * equal bytes (the golden fixtures rely on it). msgpackr picks the smallest header for maps
 * (with `variableMapSize`), strings, bins and integers up to 32 bits; wider integers are
 * handed to it as bigints so it writes int64 (0xd3) below 2^63 and uint64 (0xcf) above,
 * never float64, which is what it writes for a wide `number`.
 *
 * A value that does not fit its schema is a caller's mistake on the local side, so this throws
 * a RendezvousError naming the field (decoding, which faces the network, never throws).
 */
export function encodeMessage(message: WireMessage): Uint8Array {
  return encodeWith(wireRegistry, message);
}

/** Encodes against any registry (tests use one with every field kind). */
export function encodeWith<Message extends { type: string }>(registry: MessageRegistry<Message>, message: Message): Uint8Array {
  const type: string = message.type;
  const definition = registry.byType.get(type);
  if (definition === undefined) throw fieldError('UNKNOWN_TYPE', 'type', `unknown message type ${JSON.stringify(type)}`);
  const error = checkFields(definition.schema, message as unknown as Record<string, unknown>, type, {}, envelopeKeys);
  if (error !== null) throw error;
  const envelope: Record<string, unknown> = { v: wireVersion, type };
  writeFields(definition.schema.fields, message as unknown as Record<string, unknown>, type, envelope);
  const packed = packr.pack(envelope);
  if (packed.length > wireMessageBytesMax) {
    throw new RendezvousError('TOO_LARGE', `${type}: encodes to ${packed.length} bytes, the limit is ${wireMessageBytesMax}`);
  }
  // a copy: msgpackr returns a view of its shared output buffer
  return new Uint8Array(packed);
}

const packr = new Packr({
  useRecords: false, // plain msgpack maps, no msgpackr record extension
  variableMapSize: true, // fixmap for small maps instead of always map16
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  largeBigIntToFloat: false,
  useFloat32: 0,
});

/** Copies the fields of a checked value into `into` in schema order, in the form msgpackr should write. */
function writeFields(fields: Fields, source: Record<string, unknown>, path: string, into: Record<string, unknown>): void {
  for (const name of Object.keys(fields)) {
    const value = source[name];
    if (value === undefined) continue; // an absent optional field: checkFields made sure it may be absent
    const kind = fields[name]!;
    into[name] = toWire(kind.kind === 'optional' ? kind.of : kind, value, `${path}.${name}`);
  }
}

function toWire(kind: Kind, value: unknown, path: string): unknown {
  switch (kind.kind) {
    case 'uint':
    case 'u64':
      return integerToWire(value as number | bigint);
    case 'string':
    case 'enum':
      // msgpackr would write a lone surrogate as invalid UTF-8, which every decoder must refuse
      if (loneSurrogate.test(value as string)) throw fieldError('BAD_FIELD', path, 'a string holds a lone UTF-16 surrogate');
      return value;
    case 'array':
      return (value as readonly unknown[]).map((item, index) => toWire(kind.of, item, `${path}[${index}]`));
    case 'object': {
      const into: Record<string, unknown> = {};
      writeFields(kind.fields, value as Record<string, unknown>, path, into);
      return into;
    }
    case 'optional':
      return toWire(kind.of, value, path);
    case 'bytes':
    case 'bool':
      return value;
  }
}

const loneSurrogate = /\p{Surrogate}/u;

/** Up to 32 bits as a number (msgpackr's smallest form); wider as a bigint (int64/uint64). */
function integerToWire(value: number | bigint): number | bigint {
  if (typeof value === 'number') return value <= 0xffff_ffff ? value : BigInt(value);
  return value <= 0xffff_ffffn ? Number(value) : value;
}
