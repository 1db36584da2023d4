import { ByteReader, ByteWriter } from '../bytes.ts';
import type { ConsensusErrorCode } from '../errors.ts';

/**
 * Byte writer and reader for consensus encodings (messages, guard records, chain frames):
 * agent/bytes.ts, with the reader throwing CONSENSUS_* codes (the decoders' only failure mode).
 */

export { ByteWriter as Writer };

export class Reader extends ByteReader<ConsensusErrorCode> {
  constructor(bytes: Uint8Array, what: string) {
    super(bytes, what, { truncated: 'CONSENSUS_TRUNCATED', trailing: 'CONSENSUS_TRAILING_BYTES', tooLarge: 'CONSENSUS_TOO_LARGE', nonCanonical: 'CONSENSUS_NON_CANONICAL' });
  }
}
