import { equalBytes } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { expectHash, expectSize } from './checks.ts';
import { emptyLogRoot, hashLogLeaf } from './hash.ts';
import { encodeKeyEventsSummary, encodeOutpointStatus, type KeyEventsSummary, type OutpointStatus } from './ledger-values.ts';
import { LogFrontier } from './log-frontier.ts';
import { verifyConsistency, verifyInclusion } from './log-verify.ts';
import type { LogConsistencyProof, LogInclusionProof } from './log.ts';
import { verifySparseNonMembership, verifySparseProof, type SparseProof } from './sparse-verify.ts';

/**
 * Light-client verification: every answer an agent gives a wallet, checked against the roots of
 * a block header the wallet already trusts (its finality certificate checked elsewhere). Pure,
 * no I/O: the client imports this through agent/index.ts. Each function returns only when the
 * answer is proven, and throws an AgentError otherwise.
 */

/** The Merkle commitments a block header carries; the header type embeds these fields. */
export type HeaderRoots = {
  /** RFC 9162 root over every transaction since genesis, in chain order; leaf data is the transaction hash. */
  readonly transactionLogRoot: Uint8Array;
  /** The size of that log. */
  readonly transactionCount: number;
  /** Sparse tree root: outpoint key → OutpointStatus. */
  readonly outpointRoot: Uint8Array;
  /** Sparse tree root: key/name key → KeyEventsSummary. */
  readonly keyEventRoot: Uint8Array;
};

/** Checks that the transaction with `transactionHash` is in the header's transaction log, at proof.leafIndex. */
export function verifyTransactionInHeader(roots: HeaderRoots, transactionHash: Uint8Array, proof: LogInclusionProof): void {
  expectHash(transactionHash, 'transactionHash');
  if (proof.treeSize !== roots.transactionCount) {
    throw new AgentError('MERKLE_HEADER_MISMATCH', `inclusion proof for ${proof.treeSize} transactions, header commits ${roots.transactionCount}`);
  }
  verifyInclusion(proof.leafIndex, proof.treeSize, hashLogLeaf(transactionHash), proof.path, roots.transactionLogRoot);
}

/**
 * Checks that the newer header's transaction log extends the older one's: nothing was rewritten.
 * From an empty log every log is an extension, with an empty proof (the raw RFC function refuses
 * size 0 as meaningless; here it is the genesis case and needs only the empty root).
 */
export function verifyTransactionLogExtends(older: HeaderRoots, newer: HeaderRoots, proof: LogConsistencyProof): void {
  if (proof.size1 !== older.transactionCount || proof.size2 !== newer.transactionCount) {
    throw new AgentError('MERKLE_HEADER_MISMATCH', `consistency proof ${proof.size1} → ${proof.size2}, headers commit ${older.transactionCount} → ${newer.transactionCount}`);
  }
  expectSize(older.transactionCount, 'older.transactionCount');
  expectSize(newer.transactionCount, 'newer.transactionCount');
  if (older.transactionCount === 0) {
    if (proof.path.length !== 0) throw new AgentError('MERKLE_PROOF_LENGTH', 'consistency from the empty log takes an empty proof');
    if (!equalBytes(older.transactionLogRoot, emptyLogRoot)) throw new AgentError('MERKLE_ROOT_MISMATCH', 'an empty log has root HASH()');
    return;
  }
  verifyConsistency(proof.size1, proof.size2, older.transactionLogRoot, newer.transactionLogRoot, proof.path);
}

/**
 * Checks an agent's answer about an outpoint: its status (unspent, or spent in block n), or
 * null for "never existed". Returns the status so the caller can branch on what was proven.
 */
export function verifyOutpointInHeader(roots: HeaderRoots, key: Uint8Array, status: OutpointStatus | null, proof: SparseProof): OutpointStatus | null {
  verifySparseProof(roots.outpointRoot, key, status === null ? null : encodeOutpointStatus(status), proof);
  return status;
}

/**
 * Checks that `events` (each event's canonical bytes, in log order) are ALL the events the header
 * commits for the subject `key` (keyEventsKeyForPublicKey / keyEventsKeyForName). With no events
 * the proof must show the subject absent. Returns the proven summary, or null when there are none.
 */
export function verifyKeyEventsInHeader(roots: HeaderRoots, key: Uint8Array, events: readonly Uint8Array[], proof: SparseProof): KeyEventsSummary | null {
  return verifyKeyEventsAppended(roots, key, LogFrontier.empty(), events, proof).summary;
}

/**
 * The incremental form: the wallet keeps the frontier of the events it already verified and
 * checks only the new ones. Returns the new frontier to keep.
 */
export function verifyKeyEventsAppended(
  roots: HeaderRoots,
  key: Uint8Array,
  known: LogFrontier,
  newEvents: readonly Uint8Array[],
  proof: SparseProof,
): { summary: KeyEventsSummary | null; frontier: LogFrontier } {
  const frontier = known.clone();
  for (const event of newEvents) frontier.appendData(event);
  if (frontier.size === 0) {
    verifySparseNonMembership(roots.keyEventRoot, key, proof);
    return { summary: null, frontier };
  }
  const summary: KeyEventsSummary = { eventCount: frontier.size, eventLogRoot: frontier.root() };
  try {
    verifySparseProof(roots.keyEventRoot, key, encodeKeyEventsSummary(summary), proof);
  } catch (error) {
    if (error instanceof AgentError && (error.code === 'MERKLE_VALUE_MISMATCH' || error.code === 'MERKLE_WRONG_KIND')) {
      throw new AgentError('MERKLE_EVENTS_INCOMPLETE', `key events: ${summary.eventCount} events do not make up what the header commits`, { cause: error });
    }
    throw error;
  }
  return { summary, frontier };
}
