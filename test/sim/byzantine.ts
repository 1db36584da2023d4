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
  type GuardedSigner,
  type GuardRecord,
  type GuardStore,
  type Proposal,
  type Vote,
} from '../../agent/consensus/index.ts';
import type { SimApp } from './app.ts';

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
};

export function byzantineTransport(context: ByzantineContext): ConsensusTransport {
  const { behaviors: mine, rng, stats } = context;
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
  return {
    send: (to, bytes) => deliver(to, bytes),
    broadcast(bytes) {
      const message = decodeMessage(bytes);
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
  const signed = context.signer.signVote({ type: vote.type, height: vote.height, round: vote.round, blockHash });
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
