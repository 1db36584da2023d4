import { bytesToHex, type Clock, type Rng } from '../../names/index.ts';
import {
  beaconInput,
  decodeMessage,
  encodeMessage,
  nextSeed,
  proposerOf,
  sameBytes,
  type ConsensusCrypto,
  type ConsensusTransport,
  GuardedSigner,
  type GuardRecord,
  type GuardStore,
  type Proposal,
  type Signed,
  type Vote,
} from '../../agent/consensus/index.ts';
import { AgentError } from '../../agent/index.ts';
import type { SimApp } from './app.ts';
import type { ForkPlan } from './scenario.ts';

/**
 * Byzantine behaviours, below 1/3 of the weight. A Byzantine peer runs the honest state machine
 * and misbehaves at its edges: its transport equivocates, withholds, delays or grinds, its
 * guard forgets (amnesia) or is absent, its application proposes invalid blocks.
 */

export const behaviors = ['equivocate', 'withhold', 'delay', 'amnesia', 'invalid-blocks', 'grind'] as const;
/** 'split-brain' (accountability scenarios only): one honest-looking instance per side, no guard. */
export type Behavior = (typeof behaviors)[number] | 'split-brain';

/** A guard that remembers nothing: the signer behind it signs whatever it is asked. */
export class NullGuardStore implements GuardStore {
  read(): GuardRecord | null {
    return null;
  }

  write(): void {}
}

export type ByzantineStats = { equivocations: number; withheld: number; delayed: number; forgedBeacons: number; grindWithheld: number };

export type ByzantineContext = {
  readonly behaviors: ReadonlySet<Behavior>;
  readonly self: Uint8Array;
  readonly signer: GuardedSigner;
  readonly app: SimApp;
  readonly crypto: ConsensusCrypto;
  readonly chainId: Uint8Array;
  readonly rng: Rng;
  readonly clock: Clock;
  /** Keys (hex) of the Byzantine coalition: grinding tries to make one of them the next proposer. */
  readonly coalition: ReadonlySet<string>;
  /** Sends to one endpoint, with an extra delay; `peers` lists every other endpoint. */
  readonly send: (to: string, bytes: Uint8Array, extraDelayMs: number) => void;
  readonly peers: () => readonly string[];
  readonly stats: ByzantineStats;
  /** Split brain: which twin this instance is, the fork plan, and the link between the twins. */
  readonly twin?: { readonly side: 'a' | 'b'; readonly plan: ForkPlan; readonly link: TwinLink };
};

/**
 * Side A's instance hands its own height-1 votes to side B's (which may relay them), and says
 * when it left height 1 without a round-0 precommit (it decided first): side B's instance may
 * then precommit nil in round 0 without equivocating, and must, or side B lacks the precommits
 * of "any" value it needs to leave round 0.
 */
export type TwinLink = { relay: ((bytes: Uint8Array, vote: Vote) => void) | null; skipped: (() => void) | null; precommitted0: boolean; skippedPrecommit0: boolean };

/**
 * The side-B twin at height 1 (scenario.ts, ForkPlan): in rounds below `silentRounds` it sends
 * nothing of its own but relays its side-A twin's votes (the same signed votes: no equivocation
 * there, and side B gets the quorum of "any" votes it needs to move on). Its precommits below
 * `withheldPrecommitRounds` are the twin's (round 0, relayed) or nil (TwinSigner).
 */
function twinB(context: ByzantineContext, plan: ForkPlan, message: ReturnType<typeof decodeMessage>): 'send' | 'drop' {
  if (message.kind === 'proposal') return sameBytes(message.proposal.proposer, context.self) && message.proposal.height === 1 && message.proposal.round < plan.silentRounds ? 'drop' : 'send';
  if (message.kind !== 'vote' || !sameBytes(message.vote.voter, context.self) || message.vote.height !== 1) return 'send';
  if (message.vote.round === 0 && message.vote.type === 'precommit' && context.twin?.link.skippedPrecommit0 === true) return 'send'; // nil (TwinSigner)
  return message.vote.round < plan.silentRounds ? 'drop' : 'send';
}

/**
 * The side-B twin's signer: below `withheldPrecommitRounds` at height 1 it precommits nil instead
 * of a block (round 0: nothing; the side-A twin's precommit is relayed), so neither side B nor
 * the twin itself finalizes there.
 */
export class TwinSigner extends GuardedSigner {
  readonly #plan: ForkPlan;
  readonly #link: TwinLink;

  constructor(options: ConstructorParameters<typeof GuardedSigner>[0], plan: ForkPlan, link: TwinLink) {
    super(options);
    this.#plan = plan;
    this.#link = link;
  }

  override signVote(unsigned: Omit<Vote, 'signature' | 'voter'>): Signed<Vote> {
    const plan = this.#plan;
    if (plan.kind === 'same-round' || unsigned.type !== 'precommit' || unsigned.height !== 1 || unsigned.round >= Math.max(1, plan.withheldPrecommitRounds)) return super.signVote(unsigned);
    if (unsigned.round === 0 && !this.#link.skippedPrecommit0) return { ok: false, error: new AgentError('CONSENSUS_GUARD_CONFLICT', 'twin: the side-A twin precommits round 0') };
    return super.signVote({ ...unsigned, blockHash: null });
  }
}

function relays(plan: ForkPlan, vote: Vote): boolean {
  return vote.height === 1 && (vote.round < plan.silentRounds || (vote.type === 'precommit' && vote.round < plan.withheldPrecommitRounds));
}

export function byzantineTransport(context: ByzantineContext): ConsensusTransport {
  const { behaviors: mine, rng, stats } = context;
  const twin = context.twin;
  if (twin?.side === 'b') {
    twin.link.relay = (bytes, vote) => {
      if (relays(twin.plan, vote)) for (const to of context.peers()) context.send(to, bytes, 0);
    };
    twin.link.skipped = () => {
      if (twin.plan.kind === 'same-round') return;
      const nil = context.signer.signVote({ type: 'precommit', height: 1, round: 0, polRound: -1, blockHash: null });
      if (nil.ok) for (const to of context.peers()) context.send(to, encodeMessage({ kind: 'vote', vote: nil.value }), 0);
    };
  }
  const deliver = (to: string, bytes: Uint8Array): void => {
    if (mine.has('withhold') && rng.unit() < 0.6) {
      stats.withheld++;
      return;
    }
    const extra = mine.has('delay') && rng.unit() < 0.7 ? 150 + rng.below(1200) : 0;
    if (extra > 0) stats.delayed++;
    context.send(to, bytes, extra);
  };
  const split = (first: Uint8Array, second: Uint8Array): void => {
    const peers = [...context.peers()];
    for (let index = peers.length - 1; index > 0; index--) {
      const other = rng.below(index + 1);
      [peers[index], peers[other]] = [peers[other]!, peers[index]!];
    }
    peers.forEach((to, index) => deliver(to, index % 2 === 0 ? first : second));
  };
  // The twins never help the forensics: no evidence (their nodes would find their own
  // equivocations in what honest peers gossip), no vote logs.
  // Nor does side B's twin show a height-1 decision it reached with precommits it held back.
  const selfIncriminating = (message: ReturnType<typeof decodeMessage>): boolean =>
    twin !== undefined &&
    (message.kind === 'evidence' ||
      message.kind === 'vote-log' ||
      (twin.side === 'b' && message.kind === 'decision' && message.decision.certificate.height === 1 && message.decision.certificate.round < Math.max(twin.plan.silentRounds, twin.plan.withheldPrecommitRounds)));
  return {
    send: (to, bytes) => {
      if (!selfIncriminating(decodeMessage(bytes))) deliver(to, bytes);
    },
    broadcast(bytes) {
      const message = decodeMessage(bytes);
      if (selfIncriminating(message)) return;
      if (twin?.side === 'a' && message.kind === 'vote' && sameBytes(message.vote.voter, context.self)) {
        if (message.vote.height === 1 && message.vote.round === 0 && message.vote.type === 'precommit') twin.link.precommitted0 = true;
        twin.link.relay?.(bytes, message.vote);
      }
      if (twin?.side === 'a' && message.kind === 'status' && message.status.height >= 2 && !twin.link.precommitted0 && !twin.link.skippedPrecommit0) {
        twin.link.skippedPrecommit0 = true;
        twin.link.skipped?.();
      }
      if (twin?.side === 'b' && twinB(context, twin.plan, message) === 'drop') {
        stats.withheld++;
        return;
      }
      if (message.kind === 'vote' && sameBytes(message.vote.voter, context.self) && mine.has('equivocate') && rng.unit() < 0.7) {
        const other = conflictingVote(context, message.vote);
        if (other !== null) {
          stats.equivocations++;
          return split(bytes, encodeMessage({ kind: 'vote', vote: other }));
        }
      }
      if (message.kind === 'proposal' && sameBytes(message.proposal.proposer, context.self)) {
        if (mine.has('grind')) return grind(context, message.proposal, bytes, deliver);
        if (mine.has('equivocate') && rng.unit() < 0.7) {
          const other = alternativeProposal(context, message.proposal);
          if (other !== null) {
            stats.equivocations++;
            return split(bytes, encodeMessage({ kind: 'proposal', proposal: other }));
          }
        }
      }
      for (const to of context.peers()) deliver(to, bytes);
    },
  };
}

function conflictingVote(context: ByzantineContext, vote: Vote): Vote | null {
  const blockHash = vote.blockHash === null ? context.rng.bytes(32) : null;
  const signed = context.signer.signVote({ type: vote.type, height: vote.height, round: vote.round, polRound: -1, blockHash });
  return signed.ok ? signed.value : null;
}

function alternativeProposal(context: ByzantineContext, proposal: Proposal): Proposal | null {
  const tip = context.app.tip();
  if (tip.height + 1 !== proposal.height) return null;
  const built = context.app.propose({ height: proposal.height, round: proposal.round, prevHash: tip.blockHash, previousCertificate: tip.certificate, nowMs: context.clock.nowMs() });
  const signed = context.signer.signProposal({ height: proposal.height, round: proposal.round, validRound: proposal.validRound, beaconProof: proposal.beaconProof, block: built.block }, built.blockHash);
  return signed.ok ? signed.value : null;
}

/**
 * Lottery grinding. First a forged beacon (random bytes, validly signed): honest peers must
 * reject it. Then the one choice a VRF leaves a proposer: it sees the seed its real proposal
 * would give the next height and withholds the proposal unless a coalition member would be
 * drawn for the next height's round 0.
 */
function grind(context: ByzantineContext, proposal: Proposal, bytes: Uint8Array, deliver: (to: string, bytes: Uint8Array) => void): void {
  const { app, crypto, chainId, stats, rng } = context;
  const tip = app.tip();
  const forgedProof = rng.bytes(proposal.beaconProof.length);
  const forged = context.signer.signProposal(
    { height: proposal.height, round: proposal.round, validRound: proposal.validRound, beaconProof: forgedProof, block: proposal.block },
    app.hash(proposal.block),
  );
  if (forged.ok) {
    stats.forgedBeacons++;
    for (const to of context.peers()) deliver(to, encodeMessage({ kind: 'proposal', proposal: forged.value }));
  }
  const output = crypto.beacon.verify(context.self, beaconInput(chainId, proposal.height, tip.nextSeed), proposal.beaconProof);
  const peerSet = app.peerSet(proposal.height);
  if (output !== null && peerSet !== null) {
    const next = proposerOf(peerSet, nextSeed(tip.nextSeed, output), proposal.height + 1, 0);
    if (!context.coalition.has(bytesToHex(next.publicKey))) {
      stats.grindWithheld++;
      return;
    }
  }
  for (const to of context.peers()) deliver(to, bytes);
}
