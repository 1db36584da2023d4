import { RendezvousError } from '../errors.ts';
import { describe, fieldError, isRecord } from './check.ts';
import type { MessageDefinition, MessageRegistry } from './registry.ts';
import { object, oneOf, uint, type ObjectKind } from './schema.ts';

/**
 * The envelope every application message travels in: one msgpack map
 * `{ v, type, ...fields }`. `v` is the wire version; `type` selects the schema of the
 * remaining fields. A new version is added here when the envelope itself changes;
 * a new message type only needs a new entry in messages.ts.
 */
export const wireVersion = 1;
const wireVersionsSupported: ReadonlySet<number> = new Set([wireVersion]);

export const envelopeKeys: ReadonlySet<string> = new Set(['v', 'type']);

/** The whole envelope of one message type as a schema, for the bounds checked at definition. */
export function envelopeSchema(type: string, schema: ObjectKind): ObjectKind {
  return object({ v: uint({ max: 0xff }), type: oneOf([type]), ...schema.fields });
}

export type EnvelopeChecked =
  | { readonly ok: true; readonly definition: MessageDefinition; readonly envelope: Record<string, unknown> }
  | { readonly ok: false; readonly error: RendezvousError };

/** Step 4 of decoding: a map, a supported `v`, a registered `type`. */
export function checkEnvelope(value: unknown, registry: MessageRegistry): EnvelopeChecked {
  if (!isRecord(value)) return { ok: false, error: new RendezvousError('NOT_AN_ENVELOPE', `message: expected a map, got ${describe(value)}`) };
  if (!Object.hasOwn(value, 'v')) return { ok: false, error: fieldError('MISSING_FIELD', 'v', 'is missing') };
  const version = value['v'];
  if (typeof version !== 'number' && typeof version !== 'bigint') return { ok: false, error: fieldError('BAD_FIELD', 'v', `expected an integer, got ${describe(version)}`) };
  if (!wireVersionsSupported.has(Number(version))) return { ok: false, error: fieldError('UNKNOWN_VERSION', 'v', `version ${version} is not supported`) };
  if (!Object.hasOwn(value, 'type')) return { ok: false, error: fieldError('MISSING_FIELD', 'type', 'is missing') };
  const type = value['type'];
  if (typeof type !== 'string') return { ok: false, error: fieldError('BAD_FIELD', 'type', `expected a string, got ${describe(type)}`) };
  const definition = registry.byType.get(type);
  if (definition === undefined) return { ok: false, error: fieldError('UNKNOWN_TYPE', 'type', `unknown message type ${JSON.stringify(type.slice(0, 32))}`) };
  return { ok: true, definition, envelope: value };
}
