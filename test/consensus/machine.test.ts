import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  devnetConsensusParams,
  genesisSeed,
  proposerIndex,
  sameBytes,
  start,
  step,
  timeoutMs,
  type ConsensusEffect,
  type ConsensusState,
  type Timeout,
} from '../../agent/consensus/index.ts';
import { chainId, fixture, hash, machineState, proposalEntry, vote } from './helpers.ts';

/**
 * The state machine against Algorithm 1 of the Tendermint paper (line numbers in the test
 * names). Votes are fed as already verified: signatures are the boundary's job (ingress.ts).
 */

const seed = genesisSeed(chainId);

function begin(state: ConsensusState, nowMs = 0): ConsensusEffect[] {
  start(state, nowMs);
  return step(state, { kind: 'timeout', timeout: { step: 'start', height: state.height, round: 0 } }, nowMs).effects;
}

function signed(effects: ConsensusEffect[]): { type: string; round: number; blockHash: Uint8Array | null }[] {
  return effects.flatMap((effect) => (effect.kind === 'sign-vote' ? [{ type: effect.vote.type, height: effect.vote.height, round: effect.vote.round, blockHash: effect.vote.blockHash }] : []));
}

/** The proof-of-lock rounds of the prevotes asked for. */
function polRounds(effects: ConsensusEffect[]): number[] {
  return effects.flatMap((effect) => (effect.kind === 'sign-vote' && effect.vote.type === 'prevote' ? [effect.vote.polRound] : []));
}

function scheduled(effects: ConsensusEffect[]): { timeout: Timeout; atMs: number }[] {
  return effects.flatMap((effect) => (effect.kind === 'schedule' ? [{ timeout: effect.timeout, atMs: effect.atMs }] : []));
}

/** Four equal peers; `self` is a non-proposer of round 0 (and of round 1 when asked). */
function equalPeers(options: { notProposerOf?: number[] } = {}) {
  const f = fixture([1n, 1n, 1n, 1n]);
  const avoid = new Set((options.notProposerOf ?? [0]).map((round) => proposerIndex(f.peerSet, seed, 1, round)));
  const selfIndex = [0, 1, 2, 3].find((index) => !avoid.has(index))!;
  const others = f.keys.filter((_, index) => index !== selfIndex);
  return { ...f, self: f.keys[selfIndex]!, others, proposer: (round: number) => f.keys[proposerIndex(f.peerSet, seed, 1, round)]! };
}

test('StartRound (lines 11–21): the proposer asks for a block, everyone schedules timeoutPropose(0)', () => {
  const f = equalPeers();
  const proposerState = machineState(f.peerSet, f.proposer(0));
  const effects = begin(proposerState, 1000);
  assert.ok(effects.some((effect) => effect.kind === 'propose' && effect.block === null && effect.validRound === -1));
  const other = machineState(f.peerSet, f.self);
  const otherEffects = begin(other, 1000);
  assert.ok(!otherEffects.some((effect) => effect.kind === 'propose'));
  assert.deepEqual(scheduled(otherEffects), [{ timeout: { step: 'propose', height: 1, round: 0 }, atMs: 1000 + devnetConsensusParams.proposeTimeoutMs }]);
});

test('line 22: a valid proposal with no lock gets a prevote for it; an invalid one gets nil', () => {
  const f = equalPeers();
  for (const valid of [true, false]) {
    const state = machineState(f.peerSet, f.self);
    begin(state);
    const { effects } = step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(0), 1, 0, 'A', { valid }) }, 10);
    assert.deepEqual(signed(effects), [{ type: 'prevote', height: 1, round: 0, blockHash: valid ? hash('A') : null }]);
    assert.equal(state.step, 'prevote');
  }
});

test('line 57: timeoutPropose prevotes nil; a stale timeout does nothing', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  assert.deepEqual(signed(step(state, { kind: 'timeout', timeout: { step: 'propose', height: 1, round: 3 } }, 5).effects), []);
  assert.deepEqual(signed(step(state, { kind: 'timeout', timeout: { step: 'propose', height: 1, round: 0 } }, 5).effects), [{ type: 'prevote', height: 1, round: 0, blockHash: null }]);
});

test('lines 36–43: a prevote quorum for the proposal locks it and precommits it', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(0), 1, 0, 'A') }, 1);
  const effects: ConsensusEffect[] = [];
  for (const voter of [f.self, ...f.others.slice(0, 2)]) effects.push(...step(state, { kind: 'vote', vote: vote(voter, 'prevote', 1, 0, hash('A')) }, 2).effects);
  assert.deepEqual(signed(effects), [{ type: 'precommit', height: 1, round: 0, blockHash: hash('A') }]);
  assert.ok(state.locked !== null && state.locked.round === 0 && sameBytes(state.locked.blockHash, hash('A')));
  assert.ok(state.valid !== null && state.valid.round === 0);
});

test('quorum edge: prevotes from exactly 2/3 of the weight are not a quorum; one more unit is', () => {
  // Weights 2, 2, 1, 1 (total 6): 4 is exactly 2/3, 5 is more.
  const f = fixture([2n, 2n, 1n, 1n]);
  const heavy = f.keys.filter((_, index) => f.peerSet.peers[index]!.weight === 2n);
  const light = f.keys.filter((_, index) => f.peerSet.peers[index]!.weight === 1n);
  const self = light[0]!;
  const proposer = f.keys[proposerIndex(f.peerSet, seed, 1, 0)]!;
  const state = machineState(f.peerSet, self);
  begin(state);
  step(state, { kind: 'proposal', entry: proposalEntry(proposer, 1, 0, 'A') }, 1);
  state.step = 'prevote'; // as if our own prevote is still in flight
  const before: ConsensusEffect[] = [];
  for (const voter of heavy) before.push(...step(state, { kind: 'vote', vote: vote(voter, 'prevote', 1, 0, hash('A')) }, 2).effects);
  assert.deepEqual(signed(before), [], '4 of 6 is exactly 2/3: no polka');
  assert.equal(state.locked, null);
  const after = step(state, { kind: 'vote', vote: vote(light[1]!, 'prevote', 1, 0, hash('A')) }, 3).effects;
  assert.deepEqual(signed(after), [{ type: 'precommit', height: 1, round: 0, blockHash: hash('A') }], '5 of 6 is more than 2/3');
});

test('line 44: a quorum of nil prevotes precommits nil; line 34 schedules timeoutPrevote once', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  step(state, { kind: 'timeout', timeout: { step: 'propose', height: 1, round: 0 } }, 300);
  const effects: ConsensusEffect[] = [];
  effects.push(...step(state, { kind: 'vote', vote: vote(f.others[0]!, 'prevote', 1, 0, hash('A')) }, 301).effects);
  effects.push(...step(state, { kind: 'vote', vote: vote(f.others[1]!, 'prevote', 1, 0, null) }, 302).effects);
  effects.push(...step(state, { kind: 'vote', vote: vote(f.self, 'prevote', 1, 0, null) }, 303).effects);
  assert.deepEqual(scheduled(effects).map((entry) => entry.timeout.step), ['prevote'], 'three prevotes (any): timeoutPrevote');
  assert.deepEqual(signed(effects), []);
  const nil = step(state, { kind: 'vote', vote: vote(f.others[2]!, 'prevote', 1, 0, null) }, 304).effects;
  assert.deepEqual(signed(nil), [{ type: 'precommit', height: 1, round: 0, blockHash: null }]);
});

test('lines 61 and 65: timeoutPrevote precommits nil, timeoutPrecommit starts the next round', () => {
  const f = equalPeers({ notProposerOf: [0, 1] });
  const state = machineState(f.peerSet, f.self);
  begin(state);
  step(state, { kind: 'timeout', timeout: { step: 'propose', height: 1, round: 0 } }, 300);
  assert.deepEqual(signed(step(state, { kind: 'timeout', timeout: { step: 'prevote', height: 1, round: 0 } }, 500).effects), [{ type: 'precommit', height: 1, round: 0, blockHash: null }]);
  const next = step(state, { kind: 'timeout', timeout: { step: 'precommit', height: 1, round: 0 } }, 700).effects;
  assert.equal(state.round, 1);
  assert.equal(state.step, 'propose');
  assert.deepEqual(scheduled(next), [{ timeout: { step: 'propose', height: 1, round: 1 }, atMs: 700 + timeoutMs(devnetConsensusParams, 'propose', 1) }]);
});

test('timeouts grow linearly per round and stop at timeoutMaxMs', () => {
  const params = devnetConsensusParams;
  for (const timeoutStep of ['propose', 'prevote', 'precommit'] as const) {
    const values = [0, 1, 2, 3].map((round) => timeoutMs(params, timeoutStep, round));
    const delta = values[1]! - values[0]!;
    assert.ok(delta > 0);
    assert.deepEqual(values, values.map((_, round) => values[0]! + round * delta));
    assert.equal(timeoutMs(params, timeoutStep, 10_000), params.timeoutMaxMs);
  }
});

test('lock rule (line 23): locked on A, a new proposal B gets nil, a proposal of A gets A', () => {
  const f = equalPeers({ notProposerOf: [0, 1] });
  const state = machineState(f.peerSet, f.self);
  begin(state);
  state.locked = { round: 0, blockHash: hash('A') };
  state.round = 1;
  state.step = 'propose';
  const b = step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(1), 1, 1, 'B') }, 1).effects;
  assert.deepEqual(signed(b), [{ type: 'prevote', height: 1, round: 1, blockHash: null }]);
  const again = machineState(f.peerSet, f.self);
  begin(again);
  again.locked = { round: 0, blockHash: hash('A') };
  again.round = 1;
  again.step = 'propose';
  const a = step(again, { kind: 'proposal', entry: proposalEntry(f.proposer(1), 1, 1, 'A') }, 1).effects;
  assert.deepEqual(signed(a), [{ type: 'prevote', height: 1, round: 1, blockHash: hash('A') }]);
  assert.deepEqual(polRounds(a), [0], 'a prevote for the locked block cites the lock round');
  assert.deepEqual(polRounds(b), [-1], 'nil cites nothing');
});

test('lock rule (lines 28–29): a proof-of-lock from a round at or after our lock unlocks; an older one does not', () => {
  const f = equalPeers({ notProposerOf: [0, 1, 2] });
  for (const [lockRound, validRound, expectB] of [
    [0, 1, true], // locked at 0, polka for B at 1 ≥ 0: prevote B
    [1, 0, false], // locked at 1, polka for B at 0 < 1: nil
  ] as const) {
    const state = machineState(f.peerSet, f.self);
    begin(state);
    state.locked = { round: lockRound, blockHash: hash('A') };
    state.round = 2;
    state.step = 'propose';
    for (const voter of f.others) step(state, { kind: 'vote', vote: vote(voter, 'prevote', 1, validRound, hash('B')) }, 1);
    const effects = step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(2), 1, 2, 'B', { validRound }) }, 2).effects;
    assert.deepEqual(signed(effects), [{ type: 'prevote', height: 1, round: 2, blockHash: expectB ? hash('B') : null }], `lock ${lockRound}, vr ${validRound}`);
    assert.deepEqual(polRounds(effects), [expectB ? validRound : -1], 'a prevote unlocked by a proof-of-lock cites its round');
  }
});

test('proof-of-lock round of a prevote: none without a lock, the higher of vr and the lock round when locked on the block', () => {
  const f = equalPeers({ notProposerOf: [0, 1, 2, 3] });
  const prevoteWith = (locked: { round: number; label: string } | null, validRound: number): number[] => {
    const state = machineState(f.peerSet, f.self);
    begin(state);
    state.locked = locked === null ? null : { round: locked.round, blockHash: hash(locked.label) };
    state.round = 3;
    state.step = 'propose';
    if (validRound >= 0) for (const voter of f.others) step(state, { kind: 'vote', vote: vote(voter, 'prevote', 1, validRound, hash('B')) }, 1);
    return polRounds(step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(3), 1, 3, 'B', { validRound }) }, 2).effects);
  };
  assert.deepEqual(prevoteWith(null, -1), [-1]);
  assert.deepEqual(prevoteWith(null, 1), [1]);
  assert.deepEqual(prevoteWith({ round: 2, label: 'B' }, 1), [2], 'locked on B at 2, vr 1: cites 2');
  assert.deepEqual(prevoteWith({ round: 0, label: 'B' }, 1), [1], 'locked on B at 0, vr 1: cites 1');
  assert.deepEqual(prevoteWith({ round: 1, label: 'A' }, 2), [2], 'locked on A at 1, vr 2: cites 2 (≥ the lock)');
});

test('justified counting: a prevote citing a quorum we do not hold counts only once we hold it', () => {
  const f = equalPeers({ notProposerOf: [0, 1, 2] });
  const state = machineState(f.peerSet, f.self);
  begin(state);
  state.round = 2;
  state.step = 'prevote';
  // Three prevotes for B in round 2, each citing round 1, where nobody has prevoted B yet.
  for (const voter of f.others) step(state, { kind: 'vote', vote: vote(voter, 'prevote', 1, 2, hash('B'), 1) }, 1);
  assert.equal(state.votes.hasQuorumFor(2, 'prevote', hash('B')), false, 'unjustified prevotes make no quorum');
  assert.equal(state.votes.hasQuorumAny(2, 'prevote'), true, 'but they count for "any value" (timeouts)');
  assert.deepEqual([...state.votes.citedRounds(2)], [1], 'gossip re-sends the cited round');
  // The cited quorum arrives: the waiting prevotes count.
  for (const voter of f.others) step(state, { kind: 'vote', vote: vote(voter, 'prevote', 1, 1, hash('B')) }, 2);
  assert.equal(state.votes.hasQuorumFor(1, 'prevote', hash('B')), true);
  assert.equal(state.votes.hasQuorumFor(2, 'prevote', hash('B')), true, 'released once round 1 holds a quorum for B');
});

test('a prevote against an earlier precommit of the same voter, citing a round below it, is evidence at once', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  const offender = f.others[0]!;
  step(state, { kind: 'vote', vote: vote(offender, 'precommit', 1, 0, hash('A')) }, 1);
  const honestRelock = step(state, { kind: 'vote', vote: vote(offender, 'prevote', 1, 2, hash('B'), 1) }, 2).effects;
  assert.equal(honestRelock.filter((effect) => effect.kind === 'evidence').length, 0, 'citing round 1 ≥ 0 is not a violation');
  const effects = step(state, { kind: 'vote', vote: vote(offender, 'prevote', 1, 3, hash('B')) }, 3).effects;
  const evidence = effects.flatMap((effect) => (effect.kind === 'evidence' ? [effect.evidence] : []));
  assert.equal(evidence.length, 1);
  assert.equal(evidence[0]!.first.type, 'precommit');
  assert.equal(evidence[0]!.second.round, 3);
});

test('line 28 waits for the proof-of-lock: without a quorum at vr there is no prevote yet', () => {
  const f = equalPeers({ notProposerOf: [0, 1] });
  const state = machineState(f.peerSet, f.self);
  begin(state);
  state.round = 1;
  state.step = 'propose';
  const effects = step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(1), 1, 1, 'B', { validRound: 0 }) }, 1).effects;
  assert.deepEqual(signed(effects), []);
  assert.equal(state.step, 'propose');
});

test('line 49: a proposal and a precommit quorum decide, with a certificate of the precommits', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(0), 1, 0, 'A') }, 1);
  const effects: ConsensusEffect[] = [];
  for (const voter of f.others) effects.push(...step(state, { kind: 'vote', vote: vote(voter, 'precommit', 1, 0, hash('A')) }, 2).effects);
  const commit = effects.find((effect) => effect.kind === 'commit');
  assert.ok(commit !== undefined && commit.kind === 'commit');
  assert.ok(sameBytes(commit.blockHash, hash('A')));
  assert.equal(commit.certificate.signers.length, 3);
  assert.equal(state.step, 'decided');
  // The next height starts blockIntervalMs after this one started.
  const next = step(state, { kind: 'next-height', peerSet: f.peerSet }, 50).effects;
  assert.equal(state.height, 2);
  assert.equal(state.locked, null, 'line 53 resets the lock');
  assert.deepEqual(scheduled(next), [{ timeout: { step: 'start', height: 2, round: 0 }, atMs: devnetConsensusParams.blockIntervalMs }]);
});

test('line 49 needs a valid block: a precommit quorum for an invalid proposal decides nothing', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(0), 1, 0, 'A', { valid: false }) }, 1);
  for (const voter of f.keys) step(state, { kind: 'vote', vote: vote(voter, 'precommit', 1, 0, hash('A')) }, 2);
  assert.notEqual(state.step, 'decided');
});

test('line 55: messages of a higher round from more than 1/3 of the weight move us there; exactly 1/3 does not', () => {
  const f = fixture([1n, 1n, 1n]);
  const self = f.keys[0]!;
  const state = machineState(f.peerSet, self);
  begin(state);
  step(state, { kind: 'vote', vote: vote(f.keys[1]!, 'prevote', 1, 3, null) }, 1);
  assert.equal(state.round, 0, 'one of three is exactly 1/3');
  step(state, { kind: 'vote', vote: vote(f.keys[2]!, 'precommit', 1, 2, null) }, 2);
  assert.equal(state.round, 2, 'two peers at rounds ≥ 2 hold 2/3 > 1/3: jump to round 2');
});

test('a conflicting vote becomes evidence, once', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  step(state, { kind: 'vote', vote: vote(f.others[0]!, 'prevote', 1, 0, hash('A')) }, 1);
  const first = step(state, { kind: 'vote', vote: vote(f.others[0]!, 'prevote', 1, 0, hash('B')) }, 2).effects;
  assert.equal(first.filter((effect) => effect.kind === 'evidence').length, 1);
  const again = step(state, { kind: 'vote', vote: vote(f.others[0]!, 'prevote', 1, 0, null) }, 3).effects;
  assert.equal(again.filter((effect) => effect.kind === 'evidence').length, 0);
});

test('an equivocator counts for each value it signed (as messages do in the paper)', () => {
  // Without this, an equivocator that sent A to some and nil to others hides a proof-of-lock.
  const f = equalPeers();
  const state = machineState(f.peerSet, f.self);
  begin(state);
  const [x, y, z] = f.others as [Uint8Array, Uint8Array, Uint8Array];
  step(state, { kind: 'vote', vote: vote(x, 'prevote', 1, 0, null) }, 1);
  step(state, { kind: 'vote', vote: vote(x, 'prevote', 1, 0, hash('A')) }, 2);
  step(state, { kind: 'vote', vote: vote(y, 'prevote', 1, 0, hash('A')) }, 3);
  step(state, { kind: 'vote', vote: vote(z, 'prevote', 1, 0, hash('A')) }, 4);
  assert.equal(state.votes.weightFor(0, 'prevote', hash('A')), 3n);
  assert.equal(state.votes.weightAny(0, 'prevote'), 3n, 'the any-value count counts each peer once');
});

test('a restarted peer resumes its round, step and lock from its guard record', () => {
  const f = equalPeers({ notProposerOf: [0, 1, 2] });
  const state = machineState(f.peerSet, f.self, {
    guard: { height: 1, round: 2, step: 'precommit', digest: new Uint8Array(32), signature: new Uint8Array(64), lock: { height: 1, round: 2, blockHash: hash('A') }, votes: [] },
  });
  const effects = begin(state);
  assert.equal(state.round, 2);
  assert.equal(state.step, 'precommit');
  assert.ok(state.locked !== null && sameBytes(state.locked.blockHash, hash('A')));
  assert.deepEqual(signed(effects), [], 'no second vote for a step already signed');
  // A lock from another height is not restored.
  const other = machineState(f.peerSet, f.self, {
    guard: { height: 0, round: 5, step: 'precommit', digest: new Uint8Array(32), signature: new Uint8Array(64), lock: { height: 0, round: 5, blockHash: hash('A') }, votes: [] },
  });
  begin(other);
  assert.equal(other.locked, null);
  assert.equal(other.round, 0);
});

test('an observer (no key in the set) follows without signing', () => {
  const f = equalPeers();
  const state = machineState(f.peerSet, null);
  begin(state);
  const effects = step(state, { kind: 'proposal', entry: proposalEntry(f.proposer(0), 1, 0, 'A') }, 1).effects;
  assert.deepEqual(signed(effects), []);
  for (const voter of f.others) step(state, { kind: 'vote', vote: vote(voter, 'precommit', 1, 0, hash('A')) }, 2);
  assert.equal(state.step, 'decided');
});
