import { ParleyError } from '../../names/index.ts';
import { chainFrameBytesMax, chainFrameMarker, chainFrameTransactionsMax, consensusBlockBytesMax, ledgerTransactionBytesMax } from '../constants.ts';
import { Reader, Writer } from '../consensus/bytes.ts';
import { AgentError } from '../errors.ts';

/**
 * Chain frames: what agents and chain clients send each other as messages on an encrypted
 * session's reliable channel (docs/PROTOCOL.md "Chain frames"). Every frame starts with
 * 0xc1, a byte msgpack never uses, so the daemon tells them from wallet messages (msgpack maps)
 * by the first byte.
 *
 *   c1 01 ‖ consensus message                                       agent ↔ agent
 *   c1 02 ‖ count u16 ‖ (length u32 ‖ transaction)*                 agent ↔ agent (gossip), client → agent (submit)
 *   c1 03                                                           client → agent: subscribe to finalized blocks
 *   c1 04 ‖ height u64 ‖ blockHash[32] ‖ timeMs u64 ‖ round u32
 *         ‖ count u32 ‖ transaction hash[32]*                       agent → subscribed client
 *   c1 05 ‖ transaction hash[32] ‖ length u8 ‖ reason (UTF-8)       agent → client: a submitted transaction was refused
 */

export type ChainFrame =
  | { readonly kind: 'consensus'; readonly message: Uint8Array }
  | { readonly kind: 'transactions'; readonly transactions: readonly Uint8Array[] }
  | { readonly kind: 'subscribe' }
  | { readonly kind: 'finalized'; readonly height: number; readonly blockHash: Uint8Array; readonly timeMs: number; readonly round: number; readonly transactionHashes: readonly Uint8Array[] }
  | { readonly kind: 'refused'; readonly transactionHash: Uint8Array; readonly reason: string };

const kinds = { consensus: 1, transactions: 2, subscribe: 3, finalized: 4, refused: 5 } as const;

export function isChainFrame(bytes: Uint8Array): boolean {
  return bytes[0] === chainFrameMarker;
}

export function encodeFrame(frame: ChainFrame): Uint8Array {
  const writer = new Writer().u8(chainFrameMarker).u8(kinds[frame.kind]);
  switch (frame.kind) {
    case 'consensus':
      return writer.bytes(frame.message).finish();
    case 'transactions':
      writer.u16(frame.transactions.length);
      for (const transaction of frame.transactions) writer.u32(transaction.length).bytes(transaction);
      return writer.finish();
    case 'subscribe':
      return writer.finish();
    case 'finalized':
      writer.u64(frame.height).bytes(frame.blockHash).u64(frame.timeMs).u32(frame.round).u32(frame.transactionHashes.length);
      for (const hash of frame.transactionHashes) writer.bytes(hash);
      return writer.finish();
    case 'refused': {
      const reason = new TextEncoder().encode(frame.reason).subarray(0, 255);
      return writer.bytes(frame.transactionHash).u8(reason.length).bytes(reason).finish();
    }
  }
}

/** Splits transactions into frames of at most chainFrameTransactionsMax and chainFrameBytesMax. */
export function transactionFrames(transactions: readonly Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  let bytes = 0;
  for (const transaction of transactions) {
    if (batch.length >= chainFrameTransactionsMax || bytes + transaction.length + 4 > chainFrameBytesMax) {
      frames.push(encodeFrame({ kind: 'transactions', transactions: batch }));
      batch = [];
      bytes = 0;
    }
    batch.push(transaction);
    bytes += transaction.length + 4;
  }
  if (batch.length > 0) frames.push(encodeFrame({ kind: 'transactions', transactions: batch }));
  return frames;
}

/** Decodes a frame; CHAIN_BAD_FRAME names what is wrong. */
export function decodeFrame(bytes: Uint8Array): ChainFrame {
  try {
    return readFrame(bytes);
  } catch (error) {
    if (error instanceof ParleyError && !(error instanceof AgentError && error.code === 'CHAIN_BAD_FRAME')) throw new AgentError('CHAIN_BAD_FRAME', `chain frame: ${error.message}`, { cause: error });
    throw error;
  }
}

function readFrame(bytes: Uint8Array): ChainFrame {
  const reader = new Reader(bytes, 'chain frame');
  if (reader.u8('marker') !== chainFrameMarker) throw new AgentError('CHAIN_BAD_FRAME', 'chain frame: not a chain frame');
  const kind = reader.u8('kind');
  switch (kind) {
    case kinds.consensus: {
      if (bytes.length - 2 > consensusBlockBytesMax + 4096) reader.fail('CONSENSUS_TOO_LARGE', 'consensus message');
      return { kind: 'consensus', message: bytes.subarray(2) };
    }
    case kinds.transactions: {
      const count = reader.u16('count');
      if (count > chainFrameTransactionsMax) reader.fail('CONSENSUS_TOO_LARGE', `${count} transactions`);
      const transactions: Uint8Array[] = [];
      for (let index = 0; index < count; index++) {
        const length = reader.u32(`transaction ${index} length`);
        if (length > ledgerTransactionBytesMax) reader.fail('CONSENSUS_TOO_LARGE', `transaction ${index}: ${length} bytes`);
        transactions.push(reader.bytes(length, `transaction ${index}`));
      }
      reader.end();
      return { kind: 'transactions', transactions };
    }
    case kinds.subscribe:
      reader.end();
      return { kind: 'subscribe' };
    case kinds.finalized: {
      const height = reader.u64Number('height');
      const blockHash = reader.bytes(32, 'block hash');
      const timeMs = reader.u64Number('time');
      const round = reader.u32('round');
      const count = reader.u32('count');
      if (count * 32 !== reader.remaining) reader.fail('CONSENSUS_TRAILING_BYTES', 'transaction hashes');
      const transactionHashes = Array.from({ length: count }, (_, index) => reader.bytes(32, `hash ${index}`));
      return { kind: 'finalized', height, blockHash, timeMs, round, transactionHashes };
    }
    case kinds.refused: {
      const transactionHash = reader.bytes(32, 'transaction hash');
      const reason = new TextDecoder().decode(reader.bytes(reader.u8('reason length'), 'reason'));
      reader.end();
      return { kind: 'refused', transactionHash, reason };
    }
    default:
      throw new AgentError('CHAIN_BAD_FRAME', `chain frame: unknown kind ${kind}`);
  }
}
