import { createRegistry, defineMessage, wireBinBytesMax, wireSchema, wireStringBytesMax } from '../../rendezvous/index.ts';

const { arrayOf, bool, bytes, object, oneOf, optional, string, u64, uint } = wireSchema;

/**
 * Message types that exist only in tests: one with every field kind, and two that carry a
 * payload as large as the wire allows, to show that values at each limit decode.
 */
export const kitchenSinkMessage = defineMessage('kitchen-sink', {
  flag: bool(),
  mode: oneOf(['direct', 'relayed']),
  count: uint({ min: 1, max: 1000 }),
  big: u64({ min: 10n, max: 2n ** 63n }),
  tags: arrayOf(string({ bytesMax: 16 }), { lengthMax: 8 }),
  peer: object({ key: bytes({ length: 32 }), note: optional(string({ bytesMax: 32 })) }),
  hops: arrayOf(object({ address: bytes({ lengthMax: 18 }), port: uint({ max: 65_535 }) }), { lengthMax: 4 }),
  maybe: optional(u64()),
  cube: arrayOf(arrayOf(arrayOf(bool(), { lengthMax: 2 }), { lengthMax: 2 }), { lengthMax: 2 }),
});

export const bigBlobMessage = defineMessage('big-blob', {
  blob: bytes({ lengthMax: wireBinBytesMax }),
});

export const bigTextMessage = defineMessage('big-text', {
  text: string({ bytesMax: wireStringBytesMax }),
});

export const testMessageDefinitions = [kitchenSinkMessage, bigBlobMessage, bigTextMessage] as const;
export const testRegistry = createRegistry(testMessageDefinitions);
