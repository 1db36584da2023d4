import { hexToBytes } from '../../names/index.ts';
import type { Fields, Kind } from '../../rendezvous/index.ts';

/**
 * Language-neutral JSON for message values in test vectors: bytes as hex strings, u64 as
 * decimal strings, everything else as itself. Converted through the schema, so the JSON
 * needs no type annotations.
 */
export function fromJson(kind: Kind, json: unknown): unknown {
  switch (kind.kind) {
    case 'bytes':
      return hexToBytes(json as string);
    case 'u64':
      return BigInt(json as string);
    case 'array':
      return (json as unknown[]).map((item) => fromJson(kind.of, item));
    case 'optional':
      return fromJson(kind.of, json);
    case 'object':
      return fieldsFromJson(kind.fields, json as Record<string, unknown>);
    default:
      return json;
  }
}

export function fieldsFromJson(fields: Fields, json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(json)) {
    const kind = fields[name];
    if (kind === undefined) throw new Error(`vector names an unknown field ${name}`);
    out[name] = fromJson(kind, value);
  }
  return out;
}
