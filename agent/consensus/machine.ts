import assert from 'node:assert/strict';
import { consensusProposalsPerRoundMax, consensusRoundsAheadStored } from '../constants.ts';
import { buildCertificate } from './certificate.ts';
import { makeEvidence, offenceKey } from './evidence.ts';
import { nextSeed, proposerOf } from './lottery.ts';
import { timeoutMs } from './params.ts';
import { keyHex, sameBytes } from './peer-set.ts';
import type { ConsensusEffect, ConsensusEvent, ConsensusState, ProposalEntry, Timeout } from './state.ts';
import type { Certificate, PeerSet, Verified, Vote, VoteType, VoteValue } from './types.ts';
import { markVerified } from './types.ts';
import { VoteBook } from './vote-book.ts';

export { initialState } from './state.ts';
export type { ConsensusEffect, ConsensusEvent, ConsensusState, InitialStateOptions, ProposalEntry, Step, Timeout } from './state.ts';

/**
 * The consensus state machine: Tendermint, Algorithm 1 of Buchman, Kwon and Milosevic, "The
 * latest gossip on BFT consensus" (2018), with weights: "2f + 1" is more than 2/3 of the weight
 * and "f + 1" more than 1/3 (peer-set.ts). `step(state, event, nowMs)` does no I/O and no
 * signing: it returns effects (sign a vote, build a proposal, schedule a timeout, commit) that
 * the driver (node.ts) carries out. For speed it updates `state` in place and returns it: the
 * caller hands the state over and keeps no other reference. Every input is already verified
 * (ingress.ts); comments cite the paper's line numbers.
 */

/** The first event after creating or restoring a state: schedules the start of its height. */
export function start(state: ConsensusState, nowMs: number): { state: ConsensusState; effects: ConsensusEffect[] } {
  return { state, effects: [{ kind: 'schedule', timeout: { step: 'start', height: state.height, round: 0 }, atMs: nowMs }] };
}

export function step(state: ConsensusState, event: ConsensusEvent, nowMs: number): { state: ConsensusState; effects: ConsensusEffect[] } {
  const effects: ConsensusEffect[] = [];
  const context: Context = { state, effects, nowMs };
  switch (event.kind) {
    case 'timeout':
      onTimeout(context, event.timeout);
      break;
    case 'proposal':
      onProposal(context, event.entry);
      break;
    case 'vote':
      onVote(context, event.vote);
      break;
    case 'decision':
      if (event.certificate.height === state.height && state.decided === null) {
        decide(context, event.block, event.blockHash, event.certificate, event.beaconOutput);
      }
      break;
    case 'next-height':
      onNextHeight(context, event.peerSet);
      break;
    case 'gossip':
      onGossip(context);
      break;
  }
  evaluate(context);
  return { state, effects };
}

type Context = { readonly state: ConsensusState; readonly effects: ConsensusEffect[]; readonly nowMs: number };

function isMember(state: ConsensusState): boolean {
  return state.self !== null && state.peerSet.indexByKey.has(keyHex(state.self));
}

function isStarted(state: ConsensusState): boolean {
  return state.step === 'propose' || state.step === 'prevote' || state.step === 'precommit';
}

function schedule(context: Context, timeoutStep: 'propose' | 'prevote' | 'precommit', round: number): void {
  const atMs = context.nowMs + timeoutMs(context.state.params, timeoutStep, round);
  context.effects.push({ kind: 'schedule', timeout: { step: timeoutStep, height: context.state.height, round }, atMs });
}

/** `polRound`: the proof-of-lock round a prevote for a block relies on (types.ts, Vote). */
function broadcastVote(context: Context, type: VoteType, blockHash: VoteValue, polRound = -1): void {
  const { state } = context;
  if (!isMember(state)) return;
  context.effects.push({ kind: 'sign-vote', vote: { type, height: state.height, round: state.round, polRound, blockHash } });
}

// ── StartRound (lines 11–21) ────────────────────────────────────────────────

function startRound(context: Context, round: number): void {
  const { state } = context;
  state.round = round;
  state.step = 'propose'; // line 13
  const resume = state.resume;
  if (resume !== null && resume.round === round && resume.step !== 'propose') {
    // A restarted peer already voted at this step of this round: it does not vote again.
    state.step = resume.step;
  } else if (isMember(state) && sameBytes(proposerOf(state.peerSet, state.seed, state.height, round).publicKey, state.self)) {
    const proposedBefore = resume !== null && resume.round === round; // the guard would refuse a different block
    if (!proposedBefore) {
      // Lines 14–19: propose validValue if there is one, else a new block (getValue()).
      const valid = state.valid;
      context.effects.push({
        kind: 'propose',
        height: state.height,
        round,
        validRound: valid === null ? -1 : valid.round,
        block: valid?.block ?? null,
        blockHash: valid?.blockHash ?? null,
        seed: state.seed,
        prevHash: state.prevHash,
        previousCertificate: state.previousCertificate,
      });
    }
  }
  // Line 21 schedules OnTimeoutPropose for non-proposers; the proposer schedules it too, so a
  // proposal that never leaves (the guard refused it after a restart) cannot stall the round.
  schedule(context, 'propose', round);
}

// ── timeouts (lines 57–67) ──────────────────────────────────────────────────

function onTimeout(context: Context, timeout: Timeout): void {
  const { state } = context;
  if (timeout.height !== state.height) return;
  switch (timeout.step) {
    case 'start':
      if (state.step !== 'waiting') return;
      state.heightStartedAtMs = context.nowMs;
      startRound(context, state.resume?.round ?? 0);
      return;
    case 'propose': // line 57
      if (timeout.round === state.round && state.step === 'propose') {
        broadcastVote(context, 'prevote', null); // line 59
        state.step = 'prevote';
      }
      return;
    case 'prevote': // line 61
      if (timeout.round === state.round && state.step === 'prevote') {
        broadcastVote(context, 'precommit', null); // line 63
        state.step = 'precommit';
      }
      return;
    case 'precommit': // line 65
      if (timeout.round === state.round && isStarted(state)) startRound(context, state.round + 1);
      return;
  }
}

// ── inputs ──────────────────────────────────────────────────────────────────

function onProposal(context: Context, entry: ProposalEntry): void {
  const { state } = context;
  const proposal = entry.proposal;
  if (proposal.height !== state.height || state.decided !== null) return;
  state.votes.noteRound(keyHex(proposal.proposer), proposal.round);
  if (proposal.round > state.round + consensusRoundsAheadStored) return;
  const entries = state.proposals.get(proposal.round) ?? [];
  if (entries.some((known) => sameBytes(known.blockHash, entry.blockHash))) return;
  if (entries.length >= consensusProposalsPerRoundMax) {
    context.effects.push({ kind: 'log', reason: `proposal: round ${proposal.round} already holds ${entries.length} blocks from its proposer` });
    return;
  }
  entries.push(entry);
  state.proposals.set(proposal.round, entries);
}

function onVote(context: Context, vote: Verified<Vote>): void {
  const { state } = context;
  const book = vote.height === state.height ? state.votes : vote.height === state.height - 1 ? state.previousVotes : null;
  if (book === null) return;
  const result = book.add(vote, vote.height === state.height ? state.round : state.previousRound);
  if (result.kind !== 'conflict') return;
  const evidence = markVerified(makeEvidence(result.existing, vote));
  const key = offenceKey(evidence);
  if (state.offences.has(key)) return;
  state.offences.add(key);
  context.effects.push({ kind: 'evidence', evidence });
}

function onNextHeight(context: Context, peerSet: PeerSet): void {
  const { state } = context;
  const decided = state.decided;
  assert.ok(decided !== null && state.step === 'decided', 'next-height before a decision');
  state.previousVotes = state.votes;
  state.previousRound = state.round;
  state.height += 1;
  state.round = 0;
  state.step = 'waiting';
  state.peerSet = peerSet;
  state.seed = decided.nextSeed;
  state.prevHash = decided.blockHash;
  state.previousCertificate = decided.certificate;
  state.locked = null; // line 53
  state.valid = null;
  state.proposals = new Map();
  state.votes = new VoteBook(peerSet, state.height);
  state.prevoteTimeoutRounds = new Set();
  state.precommitTimeoutRounds = new Set();
  state.polkaRounds = new Set();
  state.resume = null;
  state.decided = null;
  // Blocks come at a steady pace: a height starts blockIntervalMs after the previous one did.
  const atMs = Math.max(context.nowMs, state.heightStartedAtMs + state.params.blockIntervalMs);
  context.effects.push({ kind: 'schedule', timeout: { step: 'start', height: state.height, round: 0 }, atMs });
}

/**
 * Gossip (the paper assumes it, §2): every tick says where we are; when nothing moved since the
 * last tick, re-send this round's proposal and every vote we hold for it, so a lost message
 * costs one tick, not a round.
 */
function onGossip(context: Context): void {
  const { state, effects } = context;
  effects.push({ kind: 'broadcast', message: { kind: 'status', status: { height: state.height, prevHash: state.prevHash } } });
  const point = `${state.height}:${state.round}:${state.step}`;
  const stalled = point === state.lastGossipPoint;
  state.lastGossipPoint = point;
  if (!stalled || !isStarted(state)) return;
  const entries = state.proposals.get(state.round) ?? [];
  for (const entry of entries) effects.push({ kind: 'broadcast', message: { kind: 'proposal', proposal: entry.proposal } });
  // This round; the one before (its precommits carry a peer that missed them into this one);
  // the proof-of-lock rounds the proposals name, which line 28 needs and a peer that was cut
  // off then never saw; and, round by round, the proof-of-lock rounds those rounds' prevotes
  // cite, which a peer needs before it counts them (vote-book.ts, justified counting).
  const rounds = new Set([state.round, state.round - 1, state.valid?.round ?? -1, state.locked?.round ?? -1, ...entries.map((entry) => entry.proposal.validRound)]);
  for (const round of rounds) {
    if (round < 0) continue;
    for (const cited of state.votes.citedRounds(round)) rounds.add(cited);
    for (const vote of state.votes.votesOfRound(round)) effects.push({ kind: 'broadcast', message: { kind: 'vote', vote } });
  }
}

// ── the upon rules, evaluated until none applies ────────────────────────────

function evaluate(context: Context): void {
  for (let iteration = 0; ; iteration++) {
    assert.ok(iteration < 10_000, 'consensus: the upon rules do not settle');
    if (!applyOneRule(context)) return;
  }
}

function applyOneRule(context: Context): boolean {
  const { state } = context;
  if (!isStarted(state)) return false;
  return tryDecide(context) || trySkipRound(context) || tryPrevote(context) || tryScheduleTimeoutPrevote(context) || tryPolka(context) || tryPrecommitNil(context) || tryScheduleTimeoutPrecommit(context);
}

/** Line 49: a proposal of any round r with a precommit quorum for it decides the height. */
function tryDecide(context: Context): boolean {
  const { state } = context;
  for (const { round, blockHash } of state.votes.decidedValues()) {
    const entry = state.proposals.get(round)?.find((candidate) => sameBytes(candidate.blockHash, blockHash));
    if (entry === undefined || !entry.valid) continue; // line 50: only a valid block
    const certificate = buildCertificate(state.peerSet, state.height, round, blockHash, state.votes.precommitsFor(round, blockHash), entry.proposal.beaconProof);
    decide(context, entry.proposal.block, blockHash, certificate, entry.beaconOutput);
    return true;
  }
  return false;
}

/** Lines 51–54 (the driver commits, then sends 'next-height'). */
function decide(context: Context, block: Uint8Array, blockHash: Uint8Array, certificate: Certificate, beaconOutput: Uint8Array): void {
  const { state } = context;
  const following = nextSeed(state.seed, beaconOutput);
  state.decided = { blockHash, certificate, nextSeed: following };
  state.step = 'decided';
  context.effects.push({ kind: 'commit', height: state.height, block, blockHash, certificate, seed: state.seed, nextSeed: following });
}

/** Line 55: messages from more than 1/3 of the weight for a higher round. */
function trySkipRound(context: Context): boolean {
  const target = context.state.votes.skipTarget(context.state.round);
  if (target === undefined) return false;
  startRound(context, target);
  return true;
}

/**
 * Lines 22–33: prevote on this round's proposal. A prevote for a block names the quorum it
 * relies on (evidence.ts): none when we hold no lock; the round we locked this block in when we
 * did (line 23's "lockedValue = v", line 29's second case); else the proposal's valid round
 * (line 29's "lockedRound ≤ vr"), which is then at least our lock round.
 */
function tryPrevote(context: Context): boolean {
  const { state } = context;
  if (state.step !== 'propose') return false;
  for (const entry of state.proposals.get(state.round) ?? []) {
    const validRound = entry.proposal.validRound;
    const locked = state.locked;
    const lockedOnIt = locked !== null && sameBytes(locked.blockHash, entry.blockHash);
    let accept: boolean;
    let polRound: number;
    if (validRound === -1) {
      accept = entry.valid && (locked === null || lockedOnIt); // line 23
      polRound = lockedOnIt ? locked.round : -1;
    } else if (validRound < state.round && state.votes.hasQuorumFor(validRound, 'prevote', entry.blockHash)) {
      accept = entry.valid && (locked === null || locked.round <= validRound || lockedOnIt); // line 29
      polRound = lockedOnIt ? Math.max(validRound, locked.round) : validRound;
    } else {
      continue; // line 28 waits for the prevote quorum of round vr
    }
    if (accept) broadcastVote(context, 'prevote', entry.blockHash, polRound); // lines 24, 30
    else broadcastVote(context, 'prevote', null); // lines 26, 32
    state.step = 'prevote';
    return true;
  }
  return false;
}

/** Line 34: any prevote quorum schedules OnTimeoutPrevote, once per round. */
function tryScheduleTimeoutPrevote(context: Context): boolean {
  const { state } = context;
  if (state.step !== 'prevote' || state.prevoteTimeoutRounds.has(state.round) || !state.votes.hasQuorumAny(state.round, 'prevote')) return false;
  state.prevoteTimeoutRounds.add(state.round);
  schedule(context, 'prevote', state.round);
  return true;
}

/** Lines 36–43: a valid proposal with a prevote quorum (a "polka") locks and precommits it. */
function tryPolka(context: Context): boolean {
  const { state } = context;
  if ((state.step !== 'prevote' && state.step !== 'precommit') || state.polkaRounds.has(state.round)) return false;
  const entry = (state.proposals.get(state.round) ?? []).find((candidate) => candidate.valid && state.votes.hasQuorumFor(state.round, 'prevote', candidate.blockHash));
  if (entry === undefined) return false;
  state.polkaRounds.add(state.round);
  if (state.step === 'prevote') {
    state.locked = { round: state.round, blockHash: entry.blockHash }; // lines 38–39
    broadcastVote(context, 'precommit', entry.blockHash); // line 40
    state.step = 'precommit'; // line 41
  }
  state.valid = { round: state.round, block: entry.proposal.block, blockHash: entry.blockHash }; // lines 42–43
  return true;
}

/** Line 44: a quorum of nil prevotes precommits nil. */
function tryPrecommitNil(context: Context): boolean {
  const { state } = context;
  if (state.step !== 'prevote' || !state.votes.hasQuorumFor(state.round, 'prevote', null)) return false;
  broadcastVote(context, 'precommit', null); // line 45
  state.step = 'precommit'; // line 46
  return true;
}

/** Line 47: any precommit quorum schedules OnTimeoutPrecommit, once per round. */
function tryScheduleTimeoutPrecommit(context: Context): boolean {
  const { state } = context;
  if (state.precommitTimeoutRounds.has(state.round) || !state.votes.hasQuorumAny(state.round, 'precommit')) return false;
  state.precommitTimeoutRounds.add(state.round);
  schedule(context, 'precommit', state.round);
  return true;
}
