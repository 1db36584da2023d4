import { bytesToHex } from '../../names/index.ts';
import {
  evidenceKind,
  evidenceOffender,
  nextSeed,
  verifyCertificateBeacon,
  verifyEvidence,
  weightOf,
  type CommitRecord,
  type ConsensusCrypto,
  type Evidence,
  type ForkReport,
  type GuardRecord,
  type PeerSet,
  type Verified,
} from '../../agent/consensus/index.ts';
import type { SimApp } from './app.ts';
import type { Scenario } from './scenario.ts';

/**
 * The invariants, checked at the moment the event that could break them happens (inside the
 * step that commits, signs, or accepts evidence), so a failing run stops at the first bad step:
 *
 * - agreement: no two different blocks finalized at one height by honest peers (safety mode);
 * - validity: every finalized block passes the application's rules, with a valid certificate
 *   (SimApp records violations at commit);
 * - beacon: every finalized certificate's beacon proof verifies for the lottery's proposer of
 *   its round, and the next seed is the one it gives: grinding cannot move the lottery;
 * - guard: an honest peer never signs two messages for one (height, round, step), across
 *   restarts (checked on every guard write);
 * - no framing: every piece of evidence any honest peer produces or accepts convicts a
 *   Byzantine peer, never an honest one;
 * - liveness: once the last fault is over, every honest peer finalizes a new block within the
 *   scenario's bound;
 * - accountability (≥ 1/3 Byzantine, split brain): the fork is detected, and the evidence it
 *   yields (from the two certificates, and from the forensic exchange of vote logs: lock
 *   violations and equivocations in rounds the certificates do not share) convicts peers
 *   holding more than 1/3 of the weight, all of them Byzantine; a cross-round plan must really
 *   fork across rounds.
 */
/** The split brain forks the chain at height 1 (scenario.ts). */
const forkOrigin = 1;

export class Checker {
  readonly violations: string[] = [];
  readonly stats = { heights: 0, rounds: 0, evidence: 0, lockViolations: 0, convicted: 0, jailed: 0, forgedBeaconsRejected: 0, forks: 0, crossRoundForks: 0, progressAfterStableMs: 0 };
  readonly #scenario: Scenario;
  readonly #byzantine: ReadonlySet<string>;
  readonly #crypto: ConsensusCrypto;
  readonly #finalized = new Map<number, string>();
  readonly #seeds = new Map<number, string>();
  readonly #committedBy = new Map<string, number>();
  readonly #offenders = new Set<string>();
  readonly #lockViolators = new Set<string>();
  /** Rounds of the two certificates of the fork at height 1, as first reported. */
  #originRounds: [number, number] | null = null;
  readonly #forkEvidence: Verified<Evidence>[] = [];
  #forkPeerSet: PeerSet | null = null;
  readonly #forkHeights = new Set<number>();
  readonly #signed = new Map<string, string>();
  #stableAtMs: number | null = null;
  #stableHeight = 0;

  constructor(scenario: Scenario, byzantineKeys: ReadonlySet<string>, crypto: ConsensusCrypto) {
    this.#scenario = scenario;
    this.#byzantine = byzantineKeys;
    this.#crypto = crypto;
  }

  #fail(message: string): void {
    this.violations.push(message);
  }

  onCommit(peer: string, record: CommitRecord, app: SimApp): void {
    const hash = bytesToHex(record.blockHash);
    const known = this.#finalized.get(record.height);
    if (known === undefined) {
      this.#finalized.set(record.height, hash);
      this.stats.heights = Math.max(this.stats.heights, record.height);
      this.stats.rounds += record.certificate.round;
    } else if (known !== hash && this.#scenario.mode === 'safety') {
      this.#fail(`agreement: two different blocks finalized at height ${record.height} (${known.slice(0, 16)} and ${hash.slice(0, 16)}, the second by ${peer})`);
    }
    const seed = bytesToHex(record.seed);
    const knownSeed = this.#seeds.get(record.height);
    if (knownSeed !== undefined && knownSeed !== seed && this.#scenario.mode === 'safety') this.#fail(`beacon: two seeds for height ${record.height}`);
    this.#seeds.set(record.height, seed);
    for (const violation of app.violations.splice(0)) this.#fail(`validity (${peer}): ${violation}`);
    const peerSet = app.peerSet(record.height);
    if (peerSet === null) return this.#fail(`validity (${peer}): no peer set for height ${record.height}`);
    try {
      const output = verifyCertificateBeacon(peerSet, record.seed, record.certificate, this.#crypto.beacon);
      if (bytesToHex(nextSeed(record.seed, output)) !== bytesToHex(record.nextSeed)) this.#fail(`beacon: height ${record.height} gives another next seed than its proof`);
    } catch (error) {
      this.#fail(`beacon: height ${record.height}: ${String(error)}`);
    }
    this.#committedBy.set(peer, record.height);
    this.stats.jailed = Math.max(this.stats.jailed, app.standing.jailedUntil.size);
    this.stats.convicted = Math.max(this.stats.convicted, app.standing.banned.size);
  }

  onEvidence(peer: string, evidence: Verified<Evidence>): void {
    const offender = bytesToHex(evidenceOffender(evidence));
    if (!this.#byzantine.has(offender)) this.#fail(`framing: ${peer} holds evidence against honest peer ${offender.slice(0, 16)}`);
    if (!this.#offenders.has(offender)) this.stats.evidence++;
    this.#offenders.add(offender);
    if (evidenceKind(evidence) === 'lock-violation' && !this.#lockViolators.has(offender)) {
      this.#lockViolators.add(offender);
      this.stats.lockViolations++;
    }
    // Whatever an honest peer holds about the height where the fork began counts for it: the
    // certificates' own, and what the forensic exchange of vote logs found. Evidence of later
    // heights (where the twins went on signing both sides, often in one round) does not: a
    // fork must be accountable by itself.
    if (this.#scenario.mode === 'accountability' && evidence.first.height === forkOrigin) this.#forkEvidence.push(evidence);
  }

  onFork(peer: string, report: ForkReport, app: SimApp): void {
    this.stats.forks++;
    if (this.#scenario.mode === 'safety') return this.#fail(`agreement: ${peer} saw a fork at height ${report.height}`);
    if (report.height === forkOrigin) this.#forkEvidence.push(...report.evidence);
    this.#forkHeights.add(report.height);
    if (report.ours.round !== report.theirs.round) this.stats.crossRoundForks++;
    if (report.height === 1) this.#originRounds ??= [report.ours.round, report.theirs.round];
    this.#forkPeerSet ??= app.peerSet(1);
  }

  /** Weight of the peers the fork evidence gathered so far convicts (accountability mode). */
  #convictedWeight(): { convicted: Set<string>; weight: bigint; total: bigint } {
    const convicted = new Set(this.#forkEvidence.map((evidence) => bytesToHex(evidenceOffender(evidence))));
    const peerSet = this.#forkPeerSet;
    return { convicted, weight: peerSet === null ? 0n : weightOf(peerSet, convicted), total: peerSet?.totalWeight ?? 0n };
  }

  onDrop(reason: string): void {
    if (reason.startsWith('proposal: bad beacon proof')) this.stats.forgedBeaconsRejected++;
  }

  markStable(nowMs: number): void {
    this.#stableAtMs = nowMs;
    this.#stableHeight = Math.max(0, ...this.#committedBy.values());
  }

  /**
   * Every write of an honest peer's sign guard (made before its signature leaves): across any
   * number of restarts, one (height, round, step) is signed with one message only.
   */
  onSigned(peer: string, record: GuardRecord): void {
    const point = `${peer}:${record.height}:${record.round}:${record.step}`;
    const digest = bytesToHex(record.digest);
    const known = this.#signed.get(point);
    if (known !== undefined && known !== digest) this.#fail(`guard: honest ${peer} signed two messages at (${record.height}, ${record.round}, ${record.step})`);
    this.#signed.set(point, digest);
  }

  /** Every honest peer has finalized past the stable point (and the target height). */
  done(honest: readonly string[], nowMs: number): boolean {
    if (this.#scenario.mode === 'accountability') {
      // Done once the peers have walked the fork down to where it began (height 1, where the
      // construction made both sides finalize in round 0) and the evidence convicts > 1/3.
      const { weight, total } = this.#convictedWeight();
      return this.#forkHeights.has(1) && 3n * weight > total;
    }
    if (this.#stableAtMs === null) return false;
    const goal = Math.max(this.#stableHeight + 1, this.#scenario.targetHeight);
    const reached = honest.every((name) => (this.#committedBy.get(name) ?? 0) >= goal);
    if (reached) this.stats.progressAfterStableMs = nowMs - this.#stableAtMs;
    return reached;
  }

  finish(honest: readonly string[], nowMs: number, apps: readonly SimApp[]): void {
    for (const app of apps) for (const violation of app.violations.splice(0)) this.#fail(`validity: ${violation}`);
    if (this.#scenario.mode === 'accountability') return this.#finishAccountability(apps);
    if (this.violations.length > 0) return;
    if (!this.done(honest, nowMs)) {
      const behind = honest.filter((name) => (this.#committedBy.get(name) ?? 0) <= this.#stableHeight).map((name) => `${name}@${this.#committedBy.get(name) ?? 0}`);
      this.#fail(`liveness: ${behind.join(', ') || 'some peers'} finalized nothing past height ${this.#stableHeight} within ${this.#scenario.livenessBoundMs} ms of the last fault`);
    }
  }

  #finishAccountability(apps: readonly SimApp[]): void {
    if (this.stats.forks === 0) return this.#fail('accountability: the split brain did not fork (the construction failed)');
    if (!this.#forkHeights.has(1)) this.#fail(`accountability: the fork was found at heights ${[...this.#forkHeights].join(', ')} but never traced down to height 1`);
    const plan = this.#scenario.split?.fork.kind ?? 'same-round';
    const rounds = this.#originRounds;
    if (plan !== 'same-round' && rounds !== null && rounds[0] === rounds[1]) this.#fail(`accountability: the ${plan} plan forked height 1 in one round (${rounds[0]}), not across rounds`);
    const peerSet = apps[0]?.peerSet(1);
    if (peerSet === undefined || peerSet === null) return this.#fail('accountability: no peer set for height 1');
    const convicted = new Set<string>();
    for (const evidence of this.#forkEvidence) {
      try {
        const height = evidence.first.height;
        verifyEvidence(apps.map((app) => app.peerSet(height)).find((set) => set !== null) ?? peerSet, evidence, this.#crypto.signatures);
      } catch (error) {
        this.#fail(`accountability: fork evidence does not verify (${String(error)})`);
      }
      const offender = bytesToHex(evidenceOffender(evidence));
      if (!this.#byzantine.has(offender)) this.#fail(`accountability: evidence against honest peer ${offender.slice(0, 16)}`);
      convicted.add(offender);
    }
    const weight = weightOf(peerSet, convicted);
    if (3n * weight <= peerSet.totalWeight) this.#fail(`accountability: evidence of height ${forkOrigin} convicts ${weight} of ${peerSet.totalWeight}, not more than 1/3`);
    this.stats.convicted = convicted.size;
  }
}
