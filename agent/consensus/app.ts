import type { ParleyError } from '../../names/index.ts';
import type { Certificate, Evidence, PeerSet, Verified } from './types.ts';

/**
 * What consensus needs from the application (the ledger), and nothing more: consensus orders
 * opaque blocks and never looks inside one. The ledger implements these over its state and
 * SQLite store; the simulator implements them over a toy chain (test/sim/app.ts).
 */

export type ProposeContext = {
  readonly height: number;
  readonly round: number;
  readonly prevHash: Uint8Array;
  /**
   * The certificate this proposer holds for height − 1. The block records it (as Tendermint's
   * LastCommit), which makes missed-vote accounting (standing.ts) the same on every peer.
   */
  readonly previousCertificate: Certificate | null;
  readonly nowMs: number;
};

export type BlockCheck = { readonly ok: true } | { readonly ok: false; readonly error: ParleyError };

export type CommitRecord = {
  readonly height: number;
  readonly block: Uint8Array;
  readonly blockHash: Uint8Array;
  readonly certificate: Certificate;
  /** The beacon seed of this height, and the one it gives the next height (lottery.ts). */
  readonly seed: Uint8Array;
  readonly nextSeed: Uint8Array;
};

/** The application interface of the brief: propose, validate, commit (and the block hash). */
export interface BlockCandidate {
  /** A new block for `height` on `prevHash`; may hold no transactions (docs/DECISIONS.md, empty blocks). */
  propose(context: ProposeContext): { readonly block: Uint8Array; readonly blockHash: Uint8Array };
  /**
   * The hash certificates sign for this block (for the ledger, its header hash), or null when
   * the bytes are not a block at all. Cheap: it runs before any signature is checked.
   */
  hash(block: Uint8Array): Uint8Array | null;
  /** valid(v) of the paper, against the committed state at height − 1. Pure: same answer every time. */
  validate(height: number, prevHash: Uint8Array, block: Uint8Array): BlockCheck;
  /** Makes the block final: atomically, before consensus moves to the next height. */
  commit(record: CommitRecord): void;
}

export type ChainTip = {
  /** The last committed height; 0 is genesis (which has no certificate). */
  readonly height: number;
  readonly blockHash: Uint8Array;
  readonly certificate: Certificate | null;
  /** The beacon seed of height + 1. */
  readonly nextSeed: Uint8Array;
};

/** Read access to the committed chain. */
export interface ChainView {
  tip(): ChainTip;
  /** The peer set that votes at `height` (any height up to tip + 1), or null when unknown. */
  peerSet(height: number): PeerSet | null;
  /** A committed block with the certificate we committed it with, for a peer that lags. */
  decision(height: number): { readonly block: Uint8Array; readonly blockHash: Uint8Array; readonly certificate: Certificate } | null;
  /** Evidence for the chain to record (the application's pool; the next proposer includes it). */
  submitEvidence(evidence: Verified<Evidence>): void;
}

export type ConsensusApp = BlockCandidate & ChainView;
