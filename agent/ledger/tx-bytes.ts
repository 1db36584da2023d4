import { ByteReader as AgentByteReader, ByteWriter } from '../bytes.ts';

/**
 * The byte reader and writer under every ledger encoding (transactions, headers, blocks, chain
 * parameters, events, snapshots): agent/bytes.ts, with the reader throwing LEDGER_* codes.
 */

export { ByteWriter };

type LedgerReaderCode = 'LEDGER_TRUNCATED' | 'LEDGER_TRAILING_BYTES' | 'LEDGER_UNKNOWN_VERSION' | 'LEDGER_TOO_LARGE' | 'LEDGER_NON_CANONICAL';

export class ByteReader extends AgentByteReader<LedgerReaderCode> {
  constructor(bytes: Uint8Array, what: string) {
    super(bytes, what, { truncated: 'LEDGER_TRUNCATED', trailing: 'LEDGER_TRAILING_BYTES', tooLarge: 'LEDGER_TOO_LARGE', nonCanonical: 'LEDGER_NON_CANONICAL' });
  }
}
