import { taggedHash } from '../../names/index.ts';
import { ledgerBlockBytesMax, ledgerBlockTransactionsMax, ledgerHashBytes, ledgerHeaderVersion, ledgerTransactionBytesMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import type { Block, BlockHeader } from './block-types.ts';
import { ByteReader, ByteWriter } from './tx-bytes.ts';
import { encodeTransaction, readTransaction } from './tx-codec.ts';
import { ledgerHashTags } from './tx-hash.ts';
import type { Transaction } from './tx-types.ts';

/**
 * Canonical header and block encodings (docs/PROTOCOL.md "Ledger"):
 *
 *   header = version u8 ‖ parametersHash[32] ‖ height u64 ‖ previousHash[32] ‖ timeMs u64
 *            ‖ transactionCount u64 ‖ transactionLogRoot[32] ‖ outpointRoot[32] ‖ keyEventRoot[32] ‖ stakeSnapshotRoot[32]
 *   block  = header ‖ count u32 ‖ transaction × count   (transactions are self-delimiting)
 */

export function encodeHeader(header: BlockHeader): Uint8Array {
  expectEncodableHeader(header);
  return new ByteWriter()
    .u8(header.version)
    .bytes(header.parametersHash)
    .u64(BigInt(header.height))
    .bytes(header.previousHash)
    .u64(BigInt(header.timeMs))
    .u64(BigInt(header.transactionCount))
    .bytes(header.transactionLogRoot)
    .bytes(header.outpointRoot)
    .bytes(header.keyEventRoot)
    .bytes(header.stakeSnapshotRoot)
    .finish();
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const reader = new ByteReader(bytes, 'block header');
  const header = readHeader(reader);
  reader.end();
  return header;
}

export function headerHash(header: BlockHeader): Uint8Array {
  return taggedHash(ledgerHashTags.header, encodeHeader(header));
}

export function encodeBlock(block: Block): Uint8Array {
  if (block.transactions.length > ledgerBlockTransactionsMax) {
    throw new AgentError('LEDGER_TOO_LARGE', `block: ${block.transactions.length} transactions, at most ${ledgerBlockTransactionsMax}`);
  }
  const writer = new ByteWriter().bytes(encodeHeader(block.header)).u32(block.transactions.length);
  for (const tx of block.transactions) writer.bytes(encodeTransaction(tx));
  if (writer.length > ledgerBlockBytesMax) throw new AgentError('LEDGER_TOO_LARGE', `block: ${writer.length} bytes, at most ${ledgerBlockBytesMax}`);
  return writer.finish();
}

export function decodeBlock(bytes: Uint8Array): Block {
  if (bytes.length > ledgerBlockBytesMax) throw new AgentError('LEDGER_TOO_LARGE', `block: ${bytes.length} bytes, at most ${ledgerBlockBytesMax}`);
  const reader = new ByteReader(bytes, 'block');
  const header = readHeader(reader);
  const count = reader.u32('transaction count');
  if (count > ledgerBlockTransactionsMax) reader.fail('LEDGER_TOO_LARGE', `${count} transactions, at most ${ledgerBlockTransactionsMax}`);
  const transactions: Transaction[] = [];
  for (let index = 0; index < count; index++) {
    const start = reader.offset;
    transactions.push(readTransaction(reader));
    const length = reader.offset - start;
    if (length > ledgerTransactionBytesMax) reader.fail('LEDGER_TOO_LARGE', `transaction ${index}: ${length} bytes, at most ${ledgerTransactionBytesMax}`);
  }
  reader.end();
  return { header, transactions };
}

function readHeader(reader: ByteReader): BlockHeader {
  const version = reader.u8('version');
  if (version !== ledgerHeaderVersion) reader.fail('LEDGER_UNKNOWN_VERSION', `version ${version}, this code reads ${ledgerHeaderVersion}`);
  return {
    version,
    parametersHash: reader.bytes(ledgerHashBytes, 'parametersHash'),
    height: reader.u64Number('height'),
    previousHash: reader.bytes(ledgerHashBytes, 'previousHash'),
    timeMs: reader.u64Number('timeMs'),
    transactionCount: reader.u64Number('transactionCount'),
    transactionLogRoot: reader.bytes(ledgerHashBytes, 'transactionLogRoot'),
    outpointRoot: reader.bytes(ledgerHashBytes, 'outpointRoot'),
    keyEventRoot: reader.bytes(ledgerHashBytes, 'keyEventRoot'),
    stakeSnapshotRoot: reader.bytes(ledgerHashBytes, 'stakeSnapshotRoot'),
  };
}

function expectEncodableHeader(header: BlockHeader): void {
  const fail = (message: string): never => {
    throw new AgentError('LEDGER_NON_CANONICAL', `block header: ${message}`);
  };
  if (header.version !== ledgerHeaderVersion) throw new AgentError('LEDGER_UNKNOWN_VERSION', `block header: version ${String(header.version)}`);
  for (const field of ['parametersHash', 'previousHash', 'transactionLogRoot', 'outpointRoot', 'keyEventRoot', 'stakeSnapshotRoot'] as const) {
    const value = header[field];
    if (!(value instanceof Uint8Array) || value.length !== ledgerHashBytes) fail(`${field}: expected ${ledgerHashBytes} bytes`);
  }
  for (const field of ['height', 'timeMs', 'transactionCount'] as const) {
    if (!Number.isSafeInteger(header[field]) || header[field] < 0) fail(`${field}: ${header[field]} is not an integer in 0..2^53 - 1`);
  }
}
