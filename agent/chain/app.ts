import assert from 'node:assert/strict';
import { bytesToHex, ParleyError, type Clock } from '../../names/index.ts';
import { chainEvidencePerBlockMax, chainPeerSetCacheEntries, chainValidationCacheEntries, consensusEvidenceAgeMaxHeights } from '../constants.ts';
import {
  emptyStanding,
  evidenceOffender,
  keyHex,
  offenceKey,
  peerSetFor,
  recordCertificate,
  recordEvidence,
  sameBytes,
  snapshotHeight,
  verifyCertificate,
  verifyEvidence,
  type BlockCheck,
  type Certificate,
  type ChainTip,
  type CommitRecord,
  type ConsensusApp,
  type ConsensusCrypto,
  type Evidence,
  type PeerSet,
  type ProposeContext,
  type StandingParams,
  type StandingState,
  type Verified,
} from '../consensus/index.ts';
import { AgentError } from '../errors.ts';
import { applyBlock, proposeBlock } from '../ledger/apply-block.ts';
import { encodeBlock } from '../ledger/block-codec.ts';
import type { Block } from '../ledger/block-types.ts';
import type { LedgerChanges } from '../ledger/state-types.ts';
import { encodeTransaction } from '../ledger/tx-codec.ts';
import { outpointId } from '../ledger/tx-hash.ts';
import { chainBlockHash, decodeChainBlock, encodeSection, joinChainBlock, splitChainBlock, type ChainBlock, type ConsensusSection } from './block.ts';
import type { ChainMempool } from './mempool.ts';
import type { ChainStore } from './store.ts';

/**
 * The ledger as consensus's application (agent/consensus/app.ts): propose builds a block from
 * the mempool with proposeBlock, validate applies a proposal to the committed state without
 * writing (each block hash once: the result and its changes are cached), commit writes the
 * cached changes with the certificate and seeds in one SQLite transaction. Blocks carry the
 * previous certificate and evidence in their consensus section (block.ts); the standing that
 * section drives (missed votes, convictions) gives every next peer set.
 *
 * Empty blocks: proposed at every height, as consensus decided (docs/DECISIONS.md "Consensus":
 * the certificate and beacon must advance, and wallets get a fresh certified header).
 */

export type FinalizedBlock = {
  readonly height: number;
  readonly blockHash: Uint8Array;
  readonly block: ChainBlock;
  readonly round: number;
  readonly timeMs: number;
};

export type ChainAppOptions = {
  readonly store: ChainStore;
  readonly standing: StandingParams;
  readonly crypto: ConsensusCrypto;
  readonly mempool: ChainMempool;
  readonly clock: Clock;
  readonly finalized?: (block: FinalizedBlock) => void;
};

type Validation = {
  readonly bytes: Uint8Array;
  readonly check: BlockCheck;
  readonly block: ChainBlock | null;
  readonly changes: LedgerChanges | null;
};

export class LedgerChainApp implements ConsensusApp {
  readonly #options: ChainAppOptions;
  readonly #store: ChainStore;
  #tip: ChainTip;
  #tipTimeMs: number;
  #standing: StandingState;
  #nextPeerSet: PeerSet;
  readonly #peerSets = new Map<number, PeerSet>();
  readonly #validations = new Map<string, Validation>();
  readonly #evidence = new Map<string, Verified<Evidence>>();
  /**
   * The last decisions we committed, as committed: consensus asks for the previous height's on
   * every status it receives (to compare hashes), and rebuilding a full block from the file each
   * time cost 4% of an agent's CPU under load.
   */
  readonly #recentDecisions = new Map<number, { block: Uint8Array; blockHash: Uint8Array; certificate: Certificate }>();
  /** How many times each block hash was applied by validation (tests hold every block to one apply per agent). */
  readonly applied = new Map<string, number>();

  constructor(options: ChainAppOptions) {
    this.#options = options;
    this.#store = options.store;
    const ledgerTip = this.#store.ledger.tip();
    assert.ok(ledgerTip !== null, 'chain: the store holds a genesis block');
    const row = this.#store.row(ledgerTip.header.height);
    assert.ok(row !== undefined, 'chain: the tip has its chain row');
    this.#tip = { height: row.height, blockHash: row.hash, certificate: row.certificate, nextSeed: row.nextSeed };
    this.#tipTimeMs = ledgerTip.header.timeMs;
    this.#standing = this.#store.standing() ?? emptyStanding;
    this.#nextPeerSet = this.#computePeerSet(row.height + 1);
  }

  get standing(): StandingState {
    return this.#standing;
  }

  // ── ChainView ──

  tip(): ChainTip {
    return this.#tip;
  }

  peerSet(height: number): PeerSet | null {
    if (height === this.#tip.height + 1) return this.#nextPeerSet;
    if (height < 1 || height > this.#tip.height) return null;
    const cached = this.#peerSets.get(height);
    if (cached !== undefined) return cached;
    const stored = this.#store.row(height)?.peerSet ?? null;
    if (stored !== null) this.#cachePeerSet(height, stored);
    return stored;
  }

  decision(height: number): { block: Uint8Array; blockHash: Uint8Array; certificate: Certificate } | null {
    if (height < 1 || height > this.#tip.height) return null;
    const recent = this.#recentDecisions.get(height);
    if (recent !== undefined) return recent;
    const row = this.#store.row(height);
    const block = this.#store.blockBytes(height);
    if (row === undefined || block === undefined || row.certificate === null) return null;
    return { block, blockHash: row.hash, certificate: row.certificate };
  }

  submitEvidence(evidence: Verified<Evidence>): void {
    if (!this.#standing.banned.has(keyHex(evidenceOffender(evidence)))) this.#evidence.set(offenceKey(evidence), evidence);
  }

  // ── BlockCandidate ──

  hash(block: Uint8Array): Uint8Array | null {
    return chainBlockHash(block);
  }

  propose(context: ProposeContext): { block: Uint8Array; blockHash: Uint8Array } {
    assert.ok(context.height === this.#tip.height + 1 && sameBytes(context.prevHash, this.#tip.blockHash), 'chain: a proposal on our tip');
    const { store, mempool, clock } = this.#options;
    const params = store.ledger.params;
    const section: ConsensusSection = { previousCertificate: context.previousCertificate, evidence: this.#evidenceForBlock(context.height) };
    const sectionBytes = encodeSection(section);
    const pooled = mempool.select({ transactionsMax: params.blockTransactionsMax, bytesMax: params.blockBytesMax });
    const timeMs = Math.max(Math.floor(clock.wallMs()), this.#tipTimeMs + 1);
    const result = proposeBlock(store.ledger, pooled.map((entry) => entry.tx), timeMs, { preverified: (witness) => mempool.isVerified(witness) });
    if (result.rejected.length > 0) mempool.drop(result.rejected.map((rejected) => pooled[rejected.index]!.bytes));
    const bytes = joinChainBlock(encodeBlock(result.block), sectionBytes);
    const blockHash = chainBlockHash(bytes);
    assert.ok(blockHash !== null, 'chain: our own block is framed');
    this.#cacheValidation(blockHash, { bytes, check: { ok: true }, block: { ledger: result.block, section }, changes: result.changes });
    return { block: bytes, blockHash };
  }

  validate(height: number, prevHash: Uint8Array, bytes: Uint8Array): BlockCheck {
    const blockHash = chainBlockHash(bytes);
    if (blockHash === null) return invalid('chain block: not framed as a ledger block and a section');
    const cached = this.#validations.get(bytesToHex(blockHash));
    if (cached !== undefined && sameBytes(cached.bytes, bytes)) return cached.check;
    if (height !== this.#tip.height + 1 || !sameBytes(prevHash, this.#tip.blockHash)) return invalid(`chain block: for height ${height}, our tip is ${this.#tip.height}`);
    const validation = this.#validate(height, prevHash, bytes);
    this.#cacheValidation(blockHash, validation);
    return validation.check;
  }

  commit(record: CommitRecord): void {
    const hex = bytesToHex(record.blockHash);
    if (this.#validations.get(hex)?.bytes !== record.block) this.validate(record.height, this.#tip.blockHash, record.block);
    const validation = this.#validations.get(hex);
    // A block a quorum certified and we reject: more than 1/3 of the weight is faulty, or we are.
    assert.ok(validation !== undefined && validation.check.ok && validation.changes !== null && validation.block !== null, `chain: certified block ${record.height} is invalid here`);
    const { block, changes } = validation;
    const votedAt = this.#nextPeerSet;
    const standing = this.#standingAfter(record.height, block.section);
    this.#store.commit({
      changes,
      row: { height: record.height, hash: record.blockHash, section: splitChainBlock(record.block)!.sectionBytes, certificate: record.certificate, seed: record.seed, nextSeed: record.nextSeed, peerSet: votedAt },
      standing,
    });
    this.#cachePeerSet(record.height, votedAt);
    this.#recentDecisions.set(record.height, { block: record.block, blockHash: record.blockHash, certificate: record.certificate });
    if (this.#recentDecisions.size > recentDecisionsKept) this.#recentDecisions.delete(this.#recentDecisions.keys().next().value!);
    this.#tip = { height: record.height, blockHash: record.blockHash, certificate: record.certificate, nextSeed: record.nextSeed };
    this.#tipTimeMs = block.ledger.header.timeMs;
    this.#standing = standing;
    this.#nextPeerSet = this.#computePeerSet(record.height + 1);
    this.#validations.clear();
    for (const [key, item] of this.#evidence) if (standing.banned.has(keyHex(evidenceOffender(item)))) this.#evidence.delete(key);
    const transactions = changes.transactions.map((transaction) => transaction.bytes);
    const spent = block.ledger.transactions.flatMap((transaction) => transaction.inputs.map(outpointId));
    this.#options.mempool.removeCommitted(transactions, spent);
    this.#options.finalized?.({ height: record.height, blockHash: record.blockHash, block, round: record.certificate.round, timeMs: block.ledger.header.timeMs });
  }

  // ── rules of the consensus section ──

  #validate(height: number, prevHash: Uint8Array, bytes: Uint8Array): Validation {
    let block: ChainBlock;
    try {
      block = decodeChainBlock(bytes);
      this.#checkSection(height, prevHash, block.section);
    } catch (error) {
      if (error instanceof ParleyError) return { bytes, check: { ok: false, error }, block: null, changes: null };
      throw error;
    }
    const hex = bytesToHex(chainBlockHash(bytes)!);
    this.applied.set(hex, (this.applied.get(hex) ?? 0) + 1);
    if (this.applied.size > 4096) this.applied.delete(this.applied.keys().next().value!);
    const ledgerBlock: Block = block.ledger;
    const { mempool } = this.#options;
    // Transactions we never saw in our pool are checked here once, the fast way, against the
    // committed state; apply then skips their signatures (a spend of an output made earlier in
    // this block is left to apply's own check).
    for (const transaction of ledgerBlock.transactions) mempool.preverify(transaction, encodeTransaction(transaction));
    const result = applyBlock(this.#store.ledger, ledgerBlock, { preverified: (witness) => mempool.isVerified(witness) });
    if (!result.ok) return { bytes, check: { ok: false, error: result.error }, block: null, changes: null };
    return { bytes, check: { ok: true }, block, changes: result.changes };
  }

  #checkSection(height: number, prevHash: Uint8Array, section: ConsensusSection): void {
    const { crypto } = this.#options;
    const certificate = section.previousCertificate;
    if (height === 1 && certificate !== null) throw new AgentError('CHAIN_BAD_BLOCK', 'block 1 carries a certificate, but genesis has none');
    if (height > 1) {
      if (certificate === null) throw new AgentError('CHAIN_BAD_BLOCK', `block ${height} carries no certificate of height ${height - 1}`);
      const peerSet = this.peerSet(height - 1);
      assert.ok(peerSet !== null, 'chain: the peer set of the tip is known');
      verifyCertificate(peerSet, height - 1, prevHash, certificate, crypto.signatures);
    }
    const offenders = new Set<string>();
    for (const item of section.evidence) {
      const offender = keyHex(evidenceOffender(item));
      const at = item.first.height;
      if (at > height || at + consensusEvidenceAgeMaxHeights < height) throw new AgentError('CHAIN_BAD_BLOCK', `evidence of height ${at} in block ${height}`);
      if (offenders.has(offender) || this.#standing.banned.has(offender)) throw new AgentError('CHAIN_BAD_BLOCK', `evidence against ${offender}, already convicted`);
      offenders.add(offender);
      const peerSet = at === height ? this.#nextPeerSet : this.peerSet(at);
      if (peerSet === null) throw new AgentError('CHAIN_BAD_BLOCK', `evidence of height ${at}: no peer set`);
      verifyEvidence(peerSet, item, crypto.signatures);
    }
  }

  #evidenceForBlock(height: number): Evidence[] {
    const chosen: Evidence[] = [];
    const offenders = new Set<string>();
    for (const item of this.#evidence.values()) {
      const offender = keyHex(evidenceOffender(item));
      const at = item.first.height;
      if (offenders.has(offender) || this.#standing.banned.has(offender) || at > height || at + consensusEvidenceAgeMaxHeights < height) continue;
      if ((at === height ? this.#nextPeerSet : this.peerSet(at)) === null) continue;
      offenders.add(offender);
      chosen.push(item);
      if (chosen.length >= chainEvidencePerBlockMax) break;
    }
    return chosen;
  }

  #standingAfter(height: number, section: ConsensusSection): StandingState {
    let standing = this.#standing;
    const certificate = section.previousCertificate;
    if (certificate !== null) standing = recordCertificate(standing, this.#options.standing, this.peerSet(height - 1)!, certificate);
    for (const item of section.evidence) standing = recordEvidence(standing, evidenceOffender(item), height);
    return standing;
  }

  #computePeerSet(height: number): PeerSet {
    const ledger = this.#store.ledger;
    const snapshot = ledger.stakeSnapshot(snapshotHeight(this.#options.standing, height));
    assert.ok(snapshot !== undefined, `chain: the stake snapshot for height ${height} exists`);
    const stakes = new Map(snapshot.entries.map((entry) => [bytesToHex(entry.key), entry.stake]));
    return peerSetFor(this.#store.chainId, stakes, this.#standing, this.#options.standing, height);
  }

  #cachePeerSet(height: number, peerSet: PeerSet): void {
    this.#peerSets.set(height, peerSet);
    if (this.#peerSets.size > chainPeerSetCacheEntries) this.#peerSets.delete(this.#peerSets.keys().next().value!);
  }

  #cacheValidation(blockHash: Uint8Array, validation: Validation): void {
    this.#validations.set(bytesToHex(blockHash), validation);
    if (this.#validations.size > chainValidationCacheEntries) this.#validations.delete(this.#validations.keys().next().value!);
  }
}

const recentDecisionsKept = 16;

function invalid(message: string): BlockCheck {
  return { ok: false, error: new AgentError('CHAIN_BAD_BLOCK', message) };
}
