import { concatBytes, taggedHash } from '../../names/index.ts';
import { merkleHashBytes } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { expectHash, expectSize } from './checks.ts';

/**
 * Keys and values of the two sparse trees the ledger commits in every header (docs/PROTOCOL.md,
 * "Merkle structures"). Keys are BIP340 tagged hashes of the key material, so the two trees'
 * key spaces never meet and every key is a uniform 256-bit path.
 */

const outpointTag = 'parley/merkle/outpoint';
const keyEventsTag = 'parley/merkle/key-events';
const publicKeySubject = 0x00;
const nameSubject = 0x01;

// ── Outpoint tree: outpoint → status ────────────────────────────────────────

/** Unspent, or spent by a transaction in block `spentAtHeight`; both commit the output itself. */
export type OutpointStatus =
  | { readonly state: 'unspent'; readonly outputHash: Uint8Array }
  | { readonly state: 'spent'; readonly spentAtHeight: number; readonly outputHash: Uint8Array };

const unspentTag = 0x00;
const spentTag = 0x01;
export const outpointStatusBytes = 1 + 8 + merkleHashBytes;

/** The tree key of output `outputIndex` (u32) of the transaction with hash `transactionHash`. */
export function outpointKey(transactionHash: Uint8Array, outputIndex: number): Uint8Array {
  expectHash(transactionHash, 'transactionHash');
  if (!Number.isInteger(outputIndex) || outputIndex < 0 || outputIndex > 0xffff_ffff) {
    throw new AgentError('MERKLE_BAD_VALUE', `outputIndex: expected a u32, got ${outputIndex}`);
  }
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, outputIndex);
  return taggedHash(outpointTag, transactionHash, index);
}

/** 41 bytes: state (0x00 unspent, 0x01 spent) ‖ spent-at height u64 BE (0 when unspent) ‖ output hash. */
export function encodeOutpointStatus(status: OutpointStatus): Uint8Array {
  expectHash(status.outputHash, 'outputHash');
  const bytes = new Uint8Array(outpointStatusBytes);
  bytes[0] = status.state === 'unspent' ? unspentTag : spentTag;
  if (status.state === 'spent') new DataView(bytes.buffer).setBigUint64(1, BigInt(expectSize(status.spentAtHeight, 'spentAtHeight')));
  bytes.set(status.outputHash, 9);
  return bytes;
}

export function decodeOutpointStatus(bytes: Uint8Array): OutpointStatus {
  if (bytes.length !== outpointStatusBytes) throw new AgentError('MERKLE_BAD_VALUE', `outpoint status: expected ${outpointStatusBytes} bytes, got ${bytes.length}`);
  const height = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(1);
  const outputHash = bytes.slice(9);
  if (bytes[0] === unspentTag && height === 0n) return { state: 'unspent', outputHash };
  if (bytes[0] === spentTag && height <= BigInt(Number.MAX_SAFE_INTEGER)) return { state: 'spent', spentAtHeight: Number(height), outputHash };
  throw new AgentError('MERKLE_BAD_VALUE', `outpoint status: state ${bytes[0]} with height ${height} is not canonical`);
}

// ── Key-event tree: public key or name → (event count, event-log root) ───────

/**
 * Every event about one key or name, in order, forms an RFC 9162 log; the tree holds its size
 * and root. A wallet given n events recomputes the root: a withheld event changes both.
 * A subject with no events has no leaf (count ≥ 1), so "no events" is a non-membership proof.
 */
export type KeyEventsSummary = { readonly eventCount: number; readonly eventLogRoot: Uint8Array };

export const keyEventsSummaryBytes = 8 + merkleHashBytes;

/** The tree key of a BIP340 x-only public key's event log. */
export function keyEventsKeyForPublicKey(publicKey: Uint8Array): Uint8Array {
  expectHash(publicKey, 'publicKey');
  return taggedHash(keyEventsTag, Uint8Array.of(publicKeySubject), publicKey);
}

/** The tree key of a global name's event log; `name` must already be validated and normalized (names/). */
export function keyEventsKeyForName(name: string): Uint8Array {
  return taggedHash(keyEventsTag, concatBytes(Uint8Array.of(nameSubject), new TextEncoder().encode(name)));
}

/** 40 bytes: event count u64 BE (≥ 1) ‖ event-log root. */
export function encodeKeyEventsSummary(summary: KeyEventsSummary): Uint8Array {
  expectSize(summary.eventCount, 'eventCount');
  if (summary.eventCount === 0) throw new AgentError('MERKLE_BAD_VALUE', 'key events: a subject without events has no leaf');
  expectHash(summary.eventLogRoot, 'eventLogRoot');
  const bytes = new Uint8Array(keyEventsSummaryBytes);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(summary.eventCount));
  bytes.set(summary.eventLogRoot, 8);
  return bytes;
}

export function decodeKeyEventsSummary(bytes: Uint8Array): KeyEventsSummary {
  if (bytes.length !== keyEventsSummaryBytes) throw new AgentError('MERKLE_BAD_VALUE', `key events: expected ${keyEventsSummaryBytes} bytes, got ${bytes.length}`);
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0);
  if (count === 0n || count > BigInt(Number.MAX_SAFE_INTEGER)) throw new AgentError('MERKLE_BAD_VALUE', `key events: count ${count} out of range`);
  return { eventCount: Number(count), eventLogRoot: bytes.slice(8) };
}
