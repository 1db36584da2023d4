import { NICKNAME_LENGTH_MAX, UTF8_BYTES_PER_CODE_POINT_MAX } from '../../names/index.ts';
import { rendezvousMessageDefinitions } from './messages-rendezvous.ts';
import { createRegistry, defineMessage, type MessageOf } from './registry.ts';
import { bytes, string, u64, uint } from './schema.ts';

/**
 * Every application message type. Adding one is a change to this file only (plus its golden
 * fixture in test/wire/vectors.json, which the golden test demands): define it, then list it
 * in `wireMessageDefinitions`. Field layouts are drawn in docs/PROTOCOL.md.
 */

/** A liveness probe; the peer answers with a `pong` carrying the same nonce. */
export const pingMessage = defineMessage('ping', {
  nonce: u64(),
});

export const pongMessage = defineMessage('pong', {
  nonce: u64(),
});

/** A peer reports why it refused something; `code` is a stable machine-readable code. */
export const errorMessage = defineMessage('error', {
  code: string({ bytesMax: 64 }),
  message: string({ bytesMax: 1024 }),
});

/**
 * A peer announces its identity: its x-only secp256k1 key (BIP340), its self-chosen nickname,
 * and a Schnorr signature by that key. The session layer checks the signature and the nickname
 * rules (names/zooko.ts); the codec checks shapes. The byte bound follows the names/ limit in
 * code points, so that every nickname names/ accepts can be sent.
 */
export const helloMessage = defineMessage('hello', {
  key: bytes({ length: 32 }),
  nickname: string({ bytesMax: nicknameBytesMax(), normalization: 'NFC' }),
  timeMs: u64(),
  signature: bytes({ length: 64 }),
});

/** One chat line in a room; `sequence` orders a sender's lines within the room. */
export const chatMessage = defineMessage('chat', {
  room: bytes({ length: 16 }),
  sequence: uint(),
  sentAtMs: u64(),
  text: string({ bytesMax: 65_536 }),
});

function nicknameBytesMax(): number {
  return NICKNAME_LENGTH_MAX * UTF8_BYTES_PER_CODE_POINT_MAX;
}

export const wireMessageDefinitions = [pingMessage, pongMessage, errorMessage, helloMessage, chatMessage, ...rendezvousMessageDefinitions] as const;

/** Every decoded application message, discriminated by `type`. */
export type WireMessage = MessageOf<(typeof wireMessageDefinitions)[number]>;
export type WireMessageType = WireMessage['type'];
/** The message of one type, e.g. `WireMessageOf<'chat'>`. */
export type WireMessageOf<Type extends WireMessageType> = Extract<WireMessage, { type: Type }>;

export const wireRegistry = createRegistry(wireMessageDefinitions);
