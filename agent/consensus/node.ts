import assert from 'node:assert/strict';
import { bytesToHex, type Clock, type TimerHandle } from '../../names/index.ts';
import { consensusFutureMessagesMax, consensusVoteLogHeights, consensusVoteLogVotesMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import type { CommitRecord, ConsensusApp } from './app.ts';
import { offenceKey } from './evidence.ts';
import { ForensicPool, votesOfCertificate } from './forensics.ts';
import type { GuardedSigner } from './guard.ts';
import { admit } from './ingress.ts';
import { beaconInput } from './lottery.ts';
import { initialState, start, step, type ConsensusEffect, type ConsensusEvent, type ConsensusState } from './machine.ts';
import { decodeMessage, encodeMessage } from './messages.ts';
import type { ConsensusParams } from './params.ts';
import type { ConsensusCrypto } from './signing.ts';
import { markVerified, type Certificate, type ConsensusMessage, type Evidence, type Verified, type Vote } from './types.ts';
import type { VoteBook } from './vote-book.ts';

/**
 * The driver: runs the pure state machine against the injected world (Clock, transport,
 * application, guarded signer). The daemon and the simulator run this same code; only the
 * world differs. Effects are carried out in order; events they cause (our own votes, the next
 * height) go through one queue, so a step never runs inside another.
 */

export interface ConsensusTransport {
  broadcast(message: Uint8Array): void;
  send(to: string, message: Uint8Array): void;
}

export type ForkReport = { readonly height: number; readonly ours: Certificate; readonly theirs: Certificate; readonly evidence: readonly Verified<Evidence>[] };

/** Hooks for tests and the simulator; all optional. */
export type NodeObserver = {
  readonly commit?: (record: CommitRecord) => void;
  readonly evidence?: (evidence: Verified<Evidence>) => void;
  readonly fork?: (report: ForkReport) => void;
  readonly drop?: (reason: string) => void;
  /** Every event, before the state machine takes it, with the state it meets (read only). */
  readonly event?: (event: ConsensusEvent, state: Readonly<ConsensusState>) => void;
};

export type NodeOptions = {
  readonly chainId: Uint8Array;
  readonly params: ConsensusParams;
  readonly crypto: ConsensusCrypto;
  /** Null for an observer that follows the chain without a key. */
  readonly signer: GuardedSigner | null;
  readonly app: ConsensusApp;
  readonly clock: Clock;
  readonly transport: ConsensusTransport;
  readonly observer?: NodeObserver;
  /**
   * Resume the round and step the sign guard recorded (default true). The simulator turns it
   * off for some restarts to show that the guard alone keeps a peer that lost its place from
   * signing twice: the state machine then asks for votes the guard must refuse.
   */
  readonly resume?: boolean;
};

export class ConsensusNode {
  readonly #options: NodeOptions;
  #state: ConsensusState | null = null;
  readonly #timers = new Set<TimerHandle>();
  readonly #queue: ConsensusEvent[] = [];
  #pumping = false;
  #future: { from: string; bytes: Uint8Array }[] = [];
  #seenProposals = new Set<string>();
  readonly #answered = new Map<string, number>();
  readonly #offences = new Set<string>();
  #halted = false;
  /** A fork was seen: consensus stopped, but decisions are still compared (forensics). */
  #forked = false;
  /** The vote books of the last consensusVoteLogHeights decided heights (our vote logs). */
  readonly #voteBooks = new Map<number, VoteBook>();
  /** Forked heights: the votes pooled from both certificates, our log and the peers' logs. */
  readonly #forensics = new Map<number, ForensicPool>();

  constructor(options: NodeOptions) {
    this.#options = options;
  }

  /** Where the state machine is (for tests, the simulator and status output). */
  get position(): { height: number; round: number; step: string; halted: boolean; forked: boolean } {
    const state = this.#state;
    return { height: state?.height ?? 0, round: state?.round ?? 0, step: state?.step ?? 'stopped', halted: this.#halted, forked: this.#forked };
  }

  /** Starts (or restarts) from the committed chain and the sign guard's record. */
  start(): void {
    const { app, signer, clock } = this.#options;
    const tip = app.tip();
    const peerSet = app.peerSet(tip.height + 1);
    assert.ok(peerSet !== null, 'consensus: the application knows the peer set of the next height');
    const guard = signer?.record() ?? null;
    const state = initialState({
      chainId: this.#options.chainId,
      params: this.#options.params,
      self: signer?.publicKey ?? null,
      height: tip.height + 1,
      peerSet,
      seed: tip.nextSeed,
      prevHash: tip.blockHash,
      previousCertificate: tip.certificate,
      guard,
      resume: this.#options.resume ?? true,
    });
    this.#state = state;
    this.#execute(start(state, clock.nowMs()).effects);
    // Votes signed before a crash may never have left: they go out again with the gossip.
    if (guard !== null && guard.height === state.height) {
      for (const vote of guard.votes) this.#enqueue({ kind: 'vote', vote: markVerified(vote) });
    }
    this.#scheduleGossip();
  }

  /** Stops every timer (a crash, or shutdown). The node ignores input afterwards. */
  stop(): void {
    for (const handle of this.#timers) this.#options.clock.clearTimer(handle);
    this.#timers.clear();
    this.#halted = true;
  }

  /** A message from peer `from` (an address or key the transport understands). */
  receive(from: string, bytes: Uint8Array): void {
    const state = this.#state;
    if (state === null || (this.#halted && !this.#forked)) return;
    let message: ConsensusMessage;
    try {
      message = decodeMessage(bytes);
    } catch (error) {
      if (error instanceof AgentError) return this.#drop(`decode: ${error.code}: ${error.message}`);
      throw error;
    }
    if (this.#forked && message.kind !== 'decision' && message.kind !== 'vote-log') return;
    // A vote log costs a signature check per vote: only where we hold a fork is it worth one.
    if (message.kind === 'vote-log' && !this.#forensics.has(message.log.height)) return this.#drop(`vote log: no fork seen at height ${message.log.height}`);
    if (message.kind === 'proposal') {
      const key = `${message.proposal.height}:${bytesToHex(message.proposal.signature)}`;
      if (this.#seenProposals.has(key)) return;
      this.#seenProposals.add(key);
    }
    const ingress = admit(state, message, { crypto: this.#options.crypto, app: this.#options.app });
    switch (ingress.kind) {
      case 'event':
        return this.#enqueue(ingress.event);
      case 'future':
        if (this.#future.length >= consensusFutureMessagesMax) this.#future.shift();
        this.#future.push({ from, bytes });
        return;
      case 'answer':
        this.#answer(from, ingress.height);
        if (ingress.event !== undefined) this.#enqueue(ingress.event);
        return;
      case 'evidence':
        return this.#submitEvidence(ingress.evidence);
      case 'fork':
        this.#options.observer?.fork?.({ height: ingress.height, ours: ingress.ours, theirs: ingress.theirs, evidence: ingress.evidence });
        for (const evidence of ingress.evidence) this.#submitEvidence(evidence);
        // Safety is broken: stop signing until operators look (docs/DECISIONS.md, "Consensus",
        // evidence), but keep comparing decisions with the peer, one height down at a time, so
        // the evidence of where the fork began is found.
        if (!this.#forked) this.stop();
        this.#forked = true;
        this.#investigate(ingress.height, ingress.ours, ingress.theirs);
        if (ingress.height > 1) this.#answer(from, ingress.height - 1);
        return;
      case 'vote-log':
        if (ingress.rejected > 0) this.#drop(`vote log: ${ingress.rejected} votes of height ${ingress.height} do not verify`);
        return this.#pool(ingress.height, ingress.votes);
      case 'drop':
        return this.#drop(ingress.reason);
    }
  }

  #drop(reason: string): void {
    this.#options.observer?.drop?.(reason);
  }

  #enqueue(event: ConsensusEvent): void {
    this.#queue.push(event);
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) {
        if (this.#halted) break;
        this.#options.observer?.event?.(event, this.#state!);
        const result = step(this.#state!, event, this.#options.clock.nowMs());
        this.#state = result.state;
        this.#execute(result.effects);
      }
    } finally {
      this.#pumping = false;
      this.#queue.length = 0;
    }
  }

  #execute(effects: readonly ConsensusEffect[]): void {
    for (const effect of effects) {
      if (this.#halted) return;
      switch (effect.kind) {
        case 'sign-vote':
          this.#signVote(effect);
          break;
        case 'propose':
          this.#propose(effect);
          break;
        case 'schedule':
          this.#schedule(effect.atMs, { kind: 'timeout', timeout: effect.timeout });
          break;
        case 'commit':
          this.#commit(effect);
          break;
        case 'broadcast':
          this.#options.transport.broadcast(encodeMessage(effect.message));
          break;
        case 'evidence':
          this.#submitEvidence(effect.evidence);
          break;
        case 'log':
          this.#drop(effect.reason);
          break;
      }
    }
  }

  #signVote(effect: Extract<ConsensusEffect, { kind: 'sign-vote' }>): void {
    const signer = this.#options.signer;
    if (signer === null) return;
    // The guard persists (height, round, step) before the signature exists outside it.
    const signed = signer.signVote(effect.vote);
    if (!signed.ok) return this.#drop(`sign: ${signed.error.code}: ${signed.error.message}`);
    this.#options.transport.broadcast(encodeMessage({ kind: 'vote', vote: signed.value }));
    this.#enqueue({ kind: 'vote', vote: markVerified(signed.value) });
  }

  #propose(effect: Extract<ConsensusEffect, { kind: 'propose' }>): void {
    const { signer, app, crypto, clock, chainId } = this.#options;
    if (signer === null) return;
    const built =
      effect.block !== null && effect.blockHash !== null
        ? { block: effect.block, blockHash: effect.blockHash }
        : app.propose({ height: effect.height, round: effect.round, prevHash: effect.prevHash, previousCertificate: effect.previousCertificate, nowMs: clock.nowMs() });
    const input = beaconInput(chainId, effect.height, effect.seed);
    const beaconProof = signer.proveBeacon(input);
    const signed = signer.signProposal({ height: effect.height, round: effect.round, validRound: effect.validRound, beaconProof, block: built.block }, built.blockHash);
    if (!signed.ok) return this.#drop(`sign: ${signed.error.code}: ${signed.error.message}`);
    const beaconOutput = crypto.beacon.verify(signer.publicKey, input, beaconProof);
    assert.ok(beaconOutput !== null, 'consensus: our own beacon proof verifies');
    this.#seenProposals.add(`${effect.height}:${bytesToHex(signed.value.signature)}`);
    this.#options.transport.broadcast(encodeMessage({ kind: 'proposal', proposal: signed.value }));
    this.#enqueue({ kind: 'proposal', entry: { proposal: markVerified(signed.value), blockHash: built.blockHash, valid: true, beaconOutput } });
  }

  #commit(effect: Extract<ConsensusEffect, { kind: 'commit' }>): void {
    const { app, observer, transport } = this.#options;
    const record: CommitRecord = { height: effect.height, block: effect.block, blockHash: effect.blockHash, certificate: effect.certificate, seed: effect.seed, nextSeed: effect.nextSeed };
    app.commit(record);
    observer?.commit?.(record);
    const peerSet = app.peerSet(effect.height + 1);
    assert.ok(peerSet !== null, 'consensus: after a commit the application knows the next peer set');
    this.#seenProposals = new Set();
    // Straight away, not through the queue: the held messages below must meet the new height.
    const result = step(this.#state!, { kind: 'next-height', peerSet }, this.#options.clock.nowMs());
    this.#state = result.state;
    // The decided height's book stays (late votes still land in it) as our vote log of it.
    if (result.state.previousVotes !== null) this.#voteBooks.set(effect.height, result.state.previousVotes);
    this.#voteBooks.delete(effect.height - consensusVoteLogHeights);
    this.#execute(result.effects);
    transport.broadcast(encodeMessage({ kind: 'status', status: { height: effect.height + 1, prevHash: effect.blockHash } }));
    const held = this.#future;
    this.#future = [];
    for (const { from, bytes } of held) this.receive(from, bytes);
  }

  /**
   * The forensic exchange (forensics.ts): pool both certificates and our log of the forked
   * height, and show every peer our certificate and our log of it. A peer on the other side
   * then sees the fork too and does the same (the peer that showed us its certificate may be a
   * Byzantine one that never will); peers on our side drop both unread. Once per gossip
   * interval per height.
   */
  #investigate(height: number, ours: Verified<Certificate>, theirs: Verified<Certificate>): void {
    const { app, transport } = this.#options;
    const peerSet = app.peerSet(height);
    if (peerSet === null) return;
    const state = this.#state!;
    const book = height === state.height ? state.votes : this.#voteBooks.get(height);
    const log = book?.allVotes() ?? [];
    if (!this.#forensics.has(height)) {
      this.#forensics.set(height, new ForensicPool(height));
      this.#pool(height, [...votesOfCertificate(peerSet, ours), ...votesOfCertificate(peerSet, theirs), ...log]);
    }
    const decision = app.decision(height);
    if (!this.#rateLimit(`fork:${height}`)) return;
    if (decision !== null) transport.broadcast(encodeMessage({ kind: 'decision', decision: { block: decision.block, certificate: decision.certificate } }));
    for (let start = 0; start < log.length; start += consensusVoteLogVotesMax) {
      transport.broadcast(encodeMessage({ kind: 'vote-log', log: { height, votes: log.slice(start, start + consensusVoteLogVotesMax) } }));
    }
  }

  #pool(height: number, votes: readonly Verified<Vote>[]): void {
    const pool = this.#forensics.get(height);
    if (pool === undefined) return;
    let full = 0;
    for (const vote of votes) if (pool.add(vote) === 'full') full++;
    if (full > 0) this.#drop(`vote log: the forensic pool of height ${height} is full, ${full} votes left out`);
    for (const evidence of pool.detect()) this.#submitEvidence(evidence);
  }

  #submitEvidence(evidence: Verified<Evidence>): void {
    const key = offenceKey(evidence);
    if (this.#offences.has(key)) return;
    this.#offences.add(key);
    this.#options.app.submitEvidence(evidence);
    this.#options.observer?.evidence?.(evidence);
    this.#options.transport.broadcast(encodeMessage({ kind: 'evidence', evidence }));
  }

  /** Sends a lagging peer our decision for `height`, at most once per gossip interval. */
  #answer(to: string, height: number): void {
    const decision = this.#options.app.decision(height);
    if (decision === null || !this.#rateLimit(`${to}:${height}`)) return;
    this.#options.transport.send(to, encodeMessage({ kind: 'decision', decision: { block: decision.block, certificate: decision.certificate } }));
  }

  /** True at most once per gossip interval for one key (answers and vote logs to one peer). */
  #rateLimit(key: string): boolean {
    const now = this.#options.clock.nowMs();
    const last = this.#answered.get(key);
    if (last !== undefined && now - last < this.#options.params.gossipIntervalMs) return false;
    if (this.#answered.size > 4096) this.#answered.clear();
    this.#answered.set(key, now);
    return true;
  }

  #schedule(atMs: number, event: ConsensusEvent): void {
    const clock = this.#options.clock;
    const handle = clock.setTimer(Math.max(0, atMs - clock.nowMs()), () => {
      this.#timers.delete(handle);
      if (!this.#halted) this.#enqueue(event);
    });
    this.#timers.add(handle);
  }

  #scheduleGossip(): void {
    const clock = this.#options.clock;
    const handle = clock.setTimer(this.#options.params.gossipIntervalMs, () => {
      this.#timers.delete(handle);
      if (this.#halted) return;
      this.#enqueue({ kind: 'gossip' });
      this.#scheduleGossip();
    });
    this.#timers.add(handle);
  }
}
