/** Public API of rendezvous/: wire codec, encrypted UDP sessions, hole punching. */
export * from './constants.ts';
export * from './errors.ts';
export { decodeMessage, decodeMessageOrThrow, decodeWith, type DecodeResult } from './wire/decode.ts';
export { encodeMessage, encodeWith } from './wire/encode.ts';
export { wireVersion } from './wire/envelope.ts';
export * from './wire/messages.ts';
/** The structural pre-scan alone (limits, allowed types, UTF-8, duplicate keys), without decoding. */
export { prescanMsgpack } from './wire/prescan.ts';
export { createRegistry, defineMessage, type MessageDefinition, type MessageOf, type MessageRegistry } from './wire/registry.ts';
/** The schema constructors and kinds message types are written in (`wireSchema.bytes({ length: 32 })`). */
export * as wireSchema from './wire/schema.ts';
export type { Fields, Kind, ObjectValue, ValueOf } from './wire/schema.ts';
/** Rendezvous messages (presence, NAT probes, introductions, relays) and the pure hole-punching layer. */
export * from './wire/messages-rendezvous.ts';
export * from './punch/index.ts';
/** Datagram transports (real UDP, the seeded in-memory network) and the reliable channel on top. */
export * from './net/index.ts';
export * from './channel/index.ts';
/** The Noise Protocol Framework (pure, no I/O) and the encrypted session core built on it. */
export * from './noise/index.ts';
export * from './session/index.ts';
/** The socket shell: an Endpoint owns one transport and runs sessions with a reliable channel each. */
export * from './socket/index.ts';
