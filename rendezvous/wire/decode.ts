import { Unpackr } from 'msgpackr';
import { RendezvousError } from '../errors.ts';
import { checkFields } from './check.ts';
import { checkEnvelope, envelopeKeys } from './envelope.ts';
import { wireRegistry, type WireMessage } from './messages.ts';
import { prescanMsgpack } from './prescan.ts';
import type { MessageRegistry } from './registry.ts';

export type DecodeResult<Message = WireMessage> =
  | { readonly ok: true; readonly message: Message }
  | { readonly ok: false; readonly error: RendezvousError };

/** Decodes one application message from the network. Never throws: bad input is a value. */
export function decodeMessage(bytes: Uint8Array): DecodeResult {
  return decodeWith(wireRegistry, bytes);
}

/** For tests and tools: the decoded message, or the RendezvousError thrown. */
export function decodeMessageOrThrow(bytes: Uint8Array): WireMessage {
  const result = decodeMessage(bytes);
  if (!result.ok) throw result.error;
  return result.message;
}

/**
 * Decodes against any registry, in five steps:
 *  1. size limit, before anything else      } prescanMsgpack: no value is built
 *  2. structural pre-scan of the headers    } until the bytes are known to be within limits
 *  3. msgpackr unpack (plain maps, no records, no extensions reachable)
 *  4. envelope: a map with a supported `v` and a registered `type`
 *  5. the type's schema: a typed message, or an error naming the field
 */
export function decodeWith<Message extends { type: string }>(registry: MessageRegistry<Message>, bytes: Uint8Array): DecodeResult<Message> {
  const scanError = prescanMsgpack(bytes);
  if (scanError !== null) return { ok: false, error: scanError };
  let value: unknown;
  try {
    // a plain view, so the bins msgpackr copies out are plain Uint8Arrays, not Buffers
    value = unpackr.unpack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (cause) {
    // unreachable unless the pre-scan and msgpackr disagree; the fuzz test fails on any error with a cause
    return { ok: false, error: new RendezvousError('MALFORMED', 'msgpackr refused bytes the pre-scan accepted', { cause }) };
  }
  const envelope = checkEnvelope(value, registry);
  if (!envelope.ok) return envelope;
  const { definition } = envelope;
  const message: Record<string, unknown> = { type: definition.type };
  const error = checkFields(definition.schema, envelope.envelope, definition.type, message, envelopeKeys);
  if (error !== null) return { ok: false, error };
  return { ok: true, message: message as Message };
}

const unpackr = new Unpackr({
  useRecords: false, // no msgpackr records or shared structures
  mapsAsObjects: true, // maps become plain objects; msgpackr renames a `__proto__` key to `__proto_`
  int64AsType: 'bigint', // uint64/int64 stay exact; the schema converts
  copyBuffers: true, // bins do not alias the caller's (datagram) buffer
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  sequential: false,
});
