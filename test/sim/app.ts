import { bytesToHex, ParleyError, taggedHash, type Rng } from '../../names/index.ts';
import { Reader, Writer } from '../../agent/consensus/bytes.ts';
import {
  decodeCertificate,
  decodeEvidence,
  emptyStanding,
  encodeCertificate,
  encodeEvidence,
  evidenceOffender,
  genesisSeed,
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
} from '../../agent/consensus/index.ts';

/**
 * A toy application for the simulator: a chain of small blocks that carry what consensus
 * needs the ledger to carry (the previous certificate, for missed-vote accounting, and
 * evidence, for convictions) plus random payload. Its validity rules are real enough to catch
 * a consensus bug: height, parent, a valid certificate of the parent, valid new evidence, and no
 * "poison" flag (Byzantine proposers set it). One instance per peer; it outlives a crash.
 *
 * block = u64 height ‖ 32 prevHash ‖ u8 hasCertificate ‖ [u32 length ‖ certificate]
 *         ‖ u8 evidenceCount ‖ (u16 length ‖ evidence)* ‖ u8 poison ‖ u16 length ‖ payload
 */

export type SimChainConfig = {
  readonly chainId: Uint8Array;
  readonly crypto: ConsensusCrypto;
  readonly standing: StandingParams;
  /** Stake hosted with each peer (key hex → amount) in the state after snapshot block `snapshot`. */
  readonly stakesAt: (snapshot: number) => ReadonlyMap<string, bigint>;
};

type SimBlock = {
  readonly height: number;
  readonly prevHash: Uint8Array;
  readonly certificate: Certificate | null;
  readonly evidence: readonly Evidence[];
  readonly poison: boolean;
  readonly payload: Uint8Array;
};

class SimInvalid extends ParleyError<'SIM_INVALID_BLOCK'> {}

function invalid(message: string): never {
  throw new SimInvalid('SIM_INVALID_BLOCK', message);
}

export function encodeSimBlock(block: SimBlock): Uint8Array {
  const writer = new Writer().u64(block.height).bytes(block.prevHash).u8(block.certificate === null ? 0 : 1);
  if (block.certificate !== null) {
    const certificate = encodeCertificate(block.certificate);
    writer.u32(certificate.length).bytes(certificate);
  }
  writer.u8(block.evidence.length);
  for (const item of block.evidence) {
    const bytes = encodeEvidence(item);
    writer.u16(bytes.length).bytes(bytes);
  }
  return writer.u8(block.poison ? 1 : 0).u16(block.payload.length).bytes(block.payload).finish();
}

export function decodeSimBlock(bytes: Uint8Array): SimBlock {
  const reader = new Reader(bytes, 'sim block');
  const height = reader.u64Number('height');
  const prevHash = reader.bytes(32, 'previous hash');
  const certificate = reader.u8('certificate flag') === 1 ? decodeCertificate(reader.bytes(reader.u32('certificate length'), 'certificate')) : null;
  const evidence: Evidence[] = [];
  for (let count = reader.u8('evidence count'); count > 0; count--) evidence.push(decodeEvidence(reader.bytes(reader.u16('evidence length'), 'evidence')));
  const poison = reader.u8('poison') !== 0;
  const payload = reader.bytes(reader.u16('payload length'), 'payload');
  reader.end();
  return { height, prevHash, certificate, evidence, poison, payload };
}

export function simBlockHash(bytes: Uint8Array): Uint8Array {
  return taggedHash('parley/sim/block', bytes);
}

export class SimApp implements ConsensusApp {
  readonly #config: SimChainConfig;
  readonly #rng: Rng;
  readonly #chain = new Map<number, CommitRecord>();
  readonly #peerSets = new Map<number, PeerSet>();
  readonly #pending = new Map<string, Verified<Evidence>>();
  #standing: StandingState = emptyStanding;
  #tip: ChainTip;
  /** Set by a Byzantine peer: proposes blocks the rules reject. */
  poison: () => boolean = () => false;
  /** Consensus committed something the rules reject (a safety bug): the checker fails the run. */
  readonly violations: string[] = [];

  constructor(config: SimChainConfig, rng: Rng) {
    this.#config = config;
    this.#rng = rng;
    this.#tip = { height: 0, blockHash: taggedHash('parley/sim/genesis', config.chainId), certificate: null, nextSeed: genesisSeed(config.chainId) };
    this.#peerSets.set(1, this.#peerSetFor(1));
  }

  get standing(): StandingState {
    return this.#standing;
  }

  tip(): ChainTip {
    return this.#tip;
  }

  peerSet(height: number): PeerSet | null {
    return this.#peerSets.get(height) ?? null;
  }

  decision(height: number): { block: Uint8Array; blockHash: Uint8Array; certificate: Certificate } | null {
    return this.#chain.get(height) ?? null;
  }

  committed(height: number): CommitRecord | undefined {
    return this.#chain.get(height);
  }

  submitEvidence(evidence: Verified<Evidence>): void {
    if (!this.#standing.banned.has(keyHex(evidenceOffender(evidence)))) this.#pending.set(offenceKey(evidence), evidence);
  }

  propose(context: ProposeContext): { block: Uint8Array; blockHash: Uint8Array } {
    const evidence = [...this.#pending.values()]
      .filter((item) => !this.#standing.banned.has(keyHex(evidenceOffender(item))) && item.first.height <= context.height)
      .filter((item, index, all) => all.findIndex((other) => sameBytes(evidenceOffender(other), evidenceOffender(item))) === index)
      .slice(0, 8);
    const block = encodeSimBlock({
      height: context.height,
      prevHash: context.prevHash,
      certificate: context.previousCertificate,
      evidence,
      poison: this.poison(),
      payload: this.#rng.bytes(8 + this.#rng.below(56)),
    });
    return { block, blockHash: simBlockHash(block) };
  }

  hash(bytes: Uint8Array): Uint8Array {
    return simBlockHash(bytes);
  }

  validate(height: number, prevHash: Uint8Array, bytes: Uint8Array): BlockCheck {
    try {
      this.#check(height, prevHash, decodeSimBlock(bytes));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ParleyError)) throw error;
      return { ok: false, error };
    }
  }

  commit(record: CommitRecord): void {
    const check = this.validate(record.height, this.#tip.blockHash, record.block);
    if (!check.ok) this.violations.push(`height ${record.height}: committed an invalid block (${check.error.code}: ${check.error.message})`);
    const peerSet = this.#peerSets.get(record.height)!;
    try {
      verifyCertificate(peerSet, record.height, record.blockHash, record.certificate, this.#config.crypto.signatures);
    } catch (error) {
      this.violations.push(`height ${record.height}: committed with a bad certificate (${String(error)})`);
    }
    this.#chain.set(record.height, record);
    this.#tip = { height: record.height, blockHash: record.blockHash, certificate: record.certificate, nextSeed: record.nextSeed };
    if (check.ok) this.#applyStanding(record.height, decodeSimBlock(record.block));
    this.#peerSets.set(record.height + 1, this.#peerSetFor(record.height + 1));
  }

  #applyStanding(height: number, block: SimBlock): void {
    if (block.certificate !== null) {
      this.#standing = recordCertificate(this.#standing, this.#config.standing, this.#peerSets.get(height - 1)!, block.certificate);
    }
    for (const item of block.evidence) {
      this.#standing = recordEvidence(this.#standing, evidenceOffender(item), height);
      this.#pending.delete(offenceKey(item));
    }
    for (const [key, item] of this.#pending) if (this.#standing.banned.has(keyHex(evidenceOffender(item)))) this.#pending.delete(key);
  }

  #peerSetFor(height: number): PeerSet {
    const stakes = this.#config.stakesAt(snapshotHeight(this.#config.standing, height));
    return peerSetFor(this.#config.chainId, stakes, this.#standing, this.#config.standing, height, { validateKeys: this.#config.crypto.curveKeys });
  }

  #check(height: number, prevHash: Uint8Array, block: SimBlock): void {
    const tip = this.#tip;
    if (block.height !== height || height !== tip.height + 1) invalid(`height ${block.height}, expected ${tip.height + 1}`);
    if (!sameBytes(block.prevHash, prevHash) || !sameBytes(prevHash, tip.blockHash)) invalid('previous hash');
    if (height === 1 ? block.certificate !== null : block.certificate === null) invalid('previous certificate missing or unexpected');
    if (block.certificate !== null) verifyCertificate(this.#peerSets.get(height - 1)!, height - 1, prevHash, block.certificate, this.#config.crypto.signatures);
    const offenders = new Set<string>();
    for (const item of block.evidence) {
      const offender = bytesToHex(evidenceOffender(item));
      const peerSet = this.#peerSets.get(item.first.height);
      if (peerSet === undefined || item.first.height > height) invalid('evidence for an unknown height');
      if (offenders.has(offender) || this.#standing.banned.has(offender)) invalid('evidence against a peer already convicted');
      offenders.add(offender);
      verifyEvidence(peerSet, item, this.#config.crypto.signatures);
    }
    if (block.poison) invalid('poisoned block');
  }
}
