import assert from 'node:assert/strict';
import { assertWithinWireLimits } from './bounds.ts';
import { envelopeKeys, envelopeSchema } from './envelope.ts';
import { object, type Fields, type ObjectKind, type ObjectValue } from './schema.ts';

/** One message type: its `type` tag and the schema of its fields (the envelope's `v` and `type` excluded). */
export interface MessageDefinition<Type extends string = string, Shape extends Fields = Fields> {
  readonly type: Type;
  readonly schema: ObjectKind<Shape>;
}

/** The decoded value of a message type: `{ type, ...fields }`; over a union of definitions, a discriminated union. */
export type MessageOf<Definition> =
  Definition extends MessageDefinition<infer Type, infer Shape> ? { [Key in keyof ({ type: Type } & ObjectValue<Shape>)]: ({ type: Type } & ObjectValue<Shape>)[Key] } : never;

export const messageTypePattern = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Defines a message type. Asserts at startup that the name is well formed, that no field
 * shadows the envelope, and that every value the schema accepts fits the wire limits.
 */
export function defineMessage<const Type extends string, const Shape extends Fields>(type: Type, fields: Shape): MessageDefinition<Type, Shape> {
  assert.match(type, messageTypePattern, `defineMessage: bad type name ${JSON.stringify(type)}`);
  for (const name of Object.keys(fields)) assert.ok(!envelopeKeys.has(name), `defineMessage(${type}): field ${name} is an envelope key`);
  const schema = object(fields);
  assertWithinWireLimits(type, envelopeSchema(type, schema));
  return { type, schema };
}

declare const messageType: unique symbol;

/** A set of message types that encode and decode together; `Message` is the union they decode to. */
export interface MessageRegistry<Message extends { type: string } = { type: string }> {
  /** By `type` tag; a Map, so no tag can reach Object.prototype. */
  readonly byType: ReadonlyMap<string, MessageDefinition>;
  /** Carries the message type for inference only; never set. */
  readonly [messageType]?: Message;
}

export function createRegistry<const Definitions extends readonly MessageDefinition[]>(definitions: Definitions): MessageRegistry<MessageOf<Definitions[number]>> {
  const byType = new Map<string, MessageDefinition>();
  for (const definition of definitions) {
    assert.ok(!byType.has(definition.type), `createRegistry: type ${definition.type} is defined twice`);
    byType.set(definition.type, definition);
  }
  return { byType };
}
