import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex } from '../../names/index.ts';
import {
  genesisSeed,
  markVerified,
  proposerIndex,
  start,
  step,
  type ConsensusEffect,
  type ConsensusEvent,
  type ConsensusState,
  type ProposalEntry,
  type Timeout,
} from '../../agent/consensus/index.ts';
import { chainId, fixture, hash, machineState, proposalEntry, vote } from './helpers.ts';

/**
 * Safety under any schedule: three honest state machines and one Byzantine peer (1/4 of the
 * weight) in a fully asynchronous network, where fast-check is the adversary that picks, at
 * every step, which message arrives next, which timeout fires, or what the Byzantine peer says
 * to whom (any vote, any value, any round; proposals in its rounds). Timing cannot matter to
 * safety, so timeouts fire in any order. No two honest peers may decide different blocks.
 * The scripted case is the one the lock rule exists for: without lines 23/29 it forks.
 */

const roundsMax = 3;
const f = fixture([1n, 1n, 1n, 1n]);
const seed = genesisSeed(chainId);
const proposers = Array.from({ length: roundsMax + 1 }, (_, round) => proposerIndex(f.peerSet, seed, 1, round));
// The Byzantine peer proposes in round 1: it can offer a fresh block after round 0's polka.
const byzantine = proposers[1]!;
const honest = [0, 1, 2, 3].filter((index) => index !== byzantine);

type Pending = { readonly to: number; readonly event: ConsensusEvent };

class World {
  readonly states = new Map<number, ConsensusState>();
  readonly pending: Pending[] = [];
  readonly timers: { node: number; timeout: Timeout }[] = [];
  readonly decided = new Map<number, string>();
  readonly blocks: ProposalEntry[] = [];

  constructor() {
    for (const index of honest) {
      const state = machineState(f.peerSet, f.keys[index]!);
      this.states.set(index, state);
      start(state, 0);
      this.#run(index, { kind: 'timeout', timeout: { step: 'start', height: 1, round: 0 } });
    }
  }

  #run(node: number, event: ConsensusEvent): void {
    const state = this.states.get(node)!;
    if (state.step === 'decided') return;
    this.#apply(node, step(state, event, 0).effects);
  }

  #apply(node: number, effects: ConsensusEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'sign-vote') {
        const signed = vote(f.keys[node]!, effect.vote.type, effect.vote.height, effect.vote.round, effect.vote.blockHash);
        this.#broadcast(node, { kind: 'vote', vote: signed });
      } else if (effect.kind === 'propose') {
        const entry =
          effect.block !== null && effect.blockHash !== null
            ? { ...this.blocks.find((known) => bytesToHex(known.blockHash) === bytesToHex(effect.blockHash!))!, proposal: markVerified({ ...this.blocks[0]!.proposal, round: effect.round, validRound: effect.validRound, proposer: f.keys[node]!, block: effect.block }) }
            : proposalEntry(f.keys[node]!, 1, effect.round, `honest ${node} round ${effect.round}`);
        this.blocks.push(entry);
        this.#broadcast(node, { kind: 'proposal', entry });
      } else if (effect.kind === 'schedule' && effect.timeout.round <= roundsMax) {
        this.timers.push({ node, timeout: effect.timeout });
      } else if (effect.kind === 'commit') {
        this.decided.set(node, bytesToHex(effect.blockHash));
      }
    }
  }

  #broadcast(from: number, event: ConsensusEvent): void {
    for (const to of honest) if (to !== from) this.pending.push({ to, event });
    this.#run(from, event); // our own message, at once
  }

  /** Delivers every pending message that matches, in order. */
  deliverWhere(match: (message: Pending) => boolean): void {
    for (let index = 0; index < this.pending.length; ) {
      const message = this.pending[index]!;
      if (!match(message)) {
        index++;
        continue;
      }
      this.pending.splice(index, 1);
      this.#run(message.to, message.event);
    }
  }

  fireWhere(match: (timer: { node: number; timeout: Timeout }) => boolean): void {
    for (let index = 0; index < this.timers.length; ) {
      const timer = this.timers[index]!;
      if (!match(timer)) {
        index++;
        continue;
      }
      this.timers.splice(index, 1);
      this.#run(timer.node, { kind: 'timeout', timeout: timer.timeout });
    }
  }

  /** The Byzantine peer sends one message to one honest peer. */
  send(to: number, event: ConsensusEvent): void {
    if (event.kind === 'proposal') this.blocks.push(event.entry);
    this.#run(to, event);
  }

  /** Delivers one pending message, never over a held link (from → to) unless none is left. */
  deliver(choice: number, held: ReadonlySet<string> = new Set()): void {
    const eligible = this.pending.map((message, index) => ({ message, index })).filter(({ message }) => !held.has(`${senderOf(message)}>${message.to}`));
    const pool = eligible.length > 0 ? eligible : this.pending.map((message, index) => ({ message, index }));
    if (pool.length === 0) return;
    const { index } = pool[choice % pool.length]!;
    const [message] = this.pending.splice(index, 1);
    this.#run(message!.to, message!.event);
  }

  fire(choice: number): void {
    if (this.timers.length === 0) return;
    const [timer] = this.timers.splice(choice % this.timers.length, 1);
    this.#run(timer!.node, { kind: 'timeout', timeout: timer!.timeout });
  }

  /** The Byzantine peer says something to one honest peer. */
  byzantineSays(target: number, kind: number, round: number, valueChoice: number): void {
    const to = honest[target % honest.length]!;
    const values = [null, ...this.blocks.map((entry) => entry.blockHash), hash('byzantine')];
    const value = values[valueChoice % values.length]!;
    if (kind % 3 === 2) {
      if (proposers[round] !== byzantine) return;
      const validRound = (valueChoice % (round + 1)) - 1;
      const entry = { ...proposalEntry(f.keys[byzantine]!, 1, round, `byzantine round ${round} ${valueChoice % 2}`, { validRound }) };
      this.blocks.push(entry);
      this.#run(to, { kind: 'proposal', entry });
      return;
    }
    this.#run(to, { kind: 'vote', vote: vote(f.keys[byzantine]!, kind % 3 === 0 ? 'prevote' : 'precommit', 1, round, value) });
  }
}

function senderOf(message: Pending): number {
  const key = message.event.kind === 'vote' ? message.event.vote.voter : message.event.kind === 'proposal' ? message.event.entry.proposal.proposer : null;
  return key === null ? -1 : f.keys.findIndex((candidate) => bytesToHex(candidate) === bytesToHex(key));
}

const isVote = (type: 'prevote' | 'precommit', round: number) => (message: Pending): boolean =>
  message.event.kind === 'vote' && message.event.vote.type === type && message.event.vote.round === round;

test('the lock scenario: a peer decides A in round 0 unseen; the others, locked on A, refuse a fresh B in round 1', () => {
  const world = new World();
  const [x, w, y] = honest as [number, number, number];
  const zKey = f.keys[byzantine]!;
  // Round 0: the proposal of A reaches everyone (the Byzantine peer proposes it if it is its round).
  if (proposers[0] === byzantine) for (const to of honest) world.send(to, { kind: 'proposal', entry: proposalEntry(zKey, 1, 0, 'A') });
  world.deliverWhere((message) => message.event.kind === 'proposal');
  const a = world.blocks[0]!.blockHash;
  world.deliverWhere(isVote('prevote', 0)); // a polka for A everywhere: all three lock on A
  // The Byzantine peer precommits A to x only, nil to w and y.
  world.send(x, { kind: 'vote', vote: vote(zKey, 'precommit', 1, 0, a) });
  world.send(w, { kind: 'vote', vote: vote(zKey, 'precommit', 1, 0, null) });
  world.send(y, { kind: 'vote', vote: vote(zKey, 'precommit', 1, 0, null) });
  world.deliverWhere((message) => isVote('precommit', 0)(message) && message.to === x && message.event.kind === 'vote' && bytesToHex(message.event.vote.voter) === bytesToHex(f.keys[w]!));
  assert.equal(world.decided.get(x), bytesToHex(a), 'x decided A (its precommit is never seen by w and y)');
  world.deliverWhere((message) => isVote('precommit', 0)(message) && message.to !== x && message.event.kind === 'vote' && bytesToHex(message.event.vote.voter) !== bytesToHex(f.keys[x]!));
  world.fireWhere((timer) => timer.node !== x && timer.timeout.step === 'precommit' && timer.timeout.round === 0);
  // Round 1: the Byzantine proposer offers a fresh block B and prevotes and precommits it.
  const fresh = proposalEntry(zKey, 1, 1, 'B');
  for (const to of [w, y]) {
    world.send(to, { kind: 'proposal', entry: fresh });
    world.send(to, { kind: 'vote', vote: vote(zKey, 'prevote', 1, 1, fresh.blockHash) });
  }
  world.deliverWhere((message) => message.to !== x && message.event.kind === 'vote' && message.event.vote.round === 1);
  for (const to of [w, y]) world.send(to, { kind: 'vote', vote: vote(zKey, 'precommit', 1, 1, fresh.blockHash) });
  world.deliverWhere((message) => message.to !== x && message.event.kind === 'vote' && message.event.vote.round === 1);
  assert.ok(!world.decided.has(w) && !world.decided.has(y), 'w and y stayed locked on A: B is not decided');
  assert.equal(new Set(world.decided.values()).size, 1);
});

const action = fc.tuple(fc.nat(5), fc.nat(), fc.nat(), fc.nat(roundsMax), fc.nat());
// Held links model a slow or cut direction until the drain at the end: the asynchrony in which
// one peer decides while the others move on without seeing it.
const link = fc.constantFrom(...honest.flatMap((from) => honest.filter((to) => to !== from).map((to) => `${from}>${to}`)));

test('no two honest peers decide different blocks, whatever the schedule (1 Byzantine of 4)', () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 50, maxLength: 400 }), fc.uniqueArray(link, { maxLength: 3 }), (actions, heldLinks) => {
      const world = new World();
      const held = new Set(heldLinks);
      for (const [kind, a, b, round, c] of actions) {
        if (kind <= 2) world.deliver(a, held);
        else if (kind === 3) world.fire(a);
        else world.byzantineSays(a, b, round, c);
      }
      // Drain: every message arrives in the end.
      for (let guard = 0; world.pending.length > 0 && guard < 10_000; guard++) world.deliver(0);
      const decisions = new Set(world.decided.values());
      assert.ok(decisions.size <= 1, `honest peers decided ${decisions.size} different blocks`);
    }),
    { numRuns: 2000 },
  );
});
