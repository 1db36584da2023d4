import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathRepunchDelaysMs, pathStep, startPath, type PathEffect, type PathState } from '../../rendezvous/index.ts';

const sessionId = new Uint8Array(16).fill(1);
const token = new Uint8Array(16).fill(2);
const ready = { kind: 'relay-ready', sessionId, relayAddress: '198.18.0.2:3478', token, expiresInMs: 1_800_000 } as const;
const kinds = (effects: PathEffect[]) => effects.filter((effect) => effect.kind !== 'timer').map((effect) => effect.kind);

function tickUntil(state: PathState, untilMs: number, fromMs: number, firstEffects: PathEffect[]): { atMs: number; effect: PathEffect }[] {
  const log: { atMs: number; effect: PathEffect }[] = [];
  let timer = firstEffects.find((effect) => effect.kind === 'timer');
  let nowMs = fromMs;
  while (timer?.kind === 'timer' && timer.atMs <= untilMs && timer.atMs >= nowMs) {
    nowMs = timer.atMs;
    const step = pathStep(state, { kind: 'tick' }, nowMs);
    for (const effect of step.effects) log.push({ atMs: nowMs, effect });
    timer = step.effects.find((effect) => effect.kind === 'timer');
  }
  return log;
}

test('a punch that succeeds gives a direct route, with the time since connecting', () => {
  const state = startPath(1_000);
  const { effects } = pathStep(state, { kind: 'punch-established', socket: 'main', address: '198.18.2.2:40000' }, 1_150);
  assert.deepEqual(effects, [{ kind: 'use-route', route: { kind: 'direct', socket: 'main', address: '198.18.2.2:40000' }, connectMs: 150 }]);
  assert.equal(state.kind, 'direct');
});

test('punch fails → relay asked once → relayed → repunch on schedule → upgraded to direct, relay released', () => {
  const state = startPath(0);
  assert.deepEqual(kinds(pathStep(state, { kind: 'punch-relay', sessionId }, 3_000).effects), ['request-relay']);
  assert.deepEqual(kinds(pathStep(state, { kind: 'punch-relay', sessionId }, 3_001).effects), [], 'asked once');
  const relayed = pathStep(state, ready, 3_050);
  assert.deepEqual(kinds(relayed.effects), ['use-route']);
  assert.equal(state.kind, 'relayed');
  assert.deepEqual(kinds(pathStep(state, ready, 3_060).effects), [], 'the same relay again: no new route');
  const log = tickUntil(state, 3_050 + pathRepunchDelaysMs[0]! + pathRepunchDelaysMs[1]! + 10, 3_050, relayed.effects);
  const repunches = log.filter(({ effect }) => effect.kind === 'repunch').map(({ atMs }) => atMs);
  assert.deepEqual(repunches, [3_050 + pathRepunchDelaysMs[0]!, 3_050 + pathRepunchDelaysMs[0]! + pathRepunchDelaysMs[1]!]);
  const upgraded = pathStep(state, { kind: 'punch-established', socket: 'main', address: '198.18.2.2:40000' }, 90_000);
  assert.deepEqual(kinds(upgraded.effects), ['release-relay', 'use-route']);
  assert.equal(state.kind, 'direct');
  assert.equal(upgraded.effects.find((effect) => effect.kind === 'timer'), undefined, 'no more repunches once direct');
});

test('a relay that arrives after the direct path is released at once', () => {
  const state = startPath(0);
  pathStep(state, { kind: 'punch-relay', sessionId }, 10);
  pathStep(state, { kind: 'punch-established', socket: 'main', address: '198.18.2.2:40000' }, 20);
  assert.deepEqual(kinds(pathStep(state, ready, 30).effects), ['release-relay']);
  assert.equal(state.kind, 'direct');
});

test('relay refused while connecting: failed; a later punch still rescues it', () => {
  const state = startPath(0);
  pathStep(state, { kind: 'punch-relay', sessionId }, 10);
  assert.deepEqual(kinds(pathStep(state, { kind: 'relay-refused' }, 20).effects), ['failed']);
  assert.deepEqual(kinds(pathStep(state, { kind: 'punch-established', socket: 'main', address: '198.18.2.2:40000' }, 30).effects), ['use-route']);
});

test('the relay time limit ends the relayed path and asks for a new introduction', () => {
  const state = startPath(0);
  const relayed = pathStep(state, { ...ready, expiresInMs: 5_000 }, 100);
  const log = tickUntil(state, 10_000, 100, relayed.effects);
  assert.deepEqual(log.filter(({ effect }) => effect.kind !== 'timer').map(({ atMs, effect }) => [atMs, effect.kind]), [[5_100, 'repunch']]);
  assert.equal(state.kind, 'connecting');
});

test('a lost direct path punches again; a new address replaces the old', () => {
  const state = startPath(0);
  pathStep(state, { kind: 'punch-established', socket: 'main', address: '198.18.2.2:40000' }, 10);
  assert.deepEqual(kinds(pathStep(state, { kind: 'punch-established', socket: 'main', address: '198.18.2.2:40000' }, 11).effects), [], 'same route: nothing');
  assert.deepEqual(kinds(pathStep(state, { kind: 'punch-established', socket: 'main', address: '198.18.2.2:50000' }, 12).effects), ['use-route']);
  assert.deepEqual(kinds(pathStep(state, { kind: 'direct-lost' }, 20).effects), ['repunch']);
  assert.equal(state.kind, 'connecting');
});
