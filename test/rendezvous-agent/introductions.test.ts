import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  introductionBurstPerSource,
  introductionBurstPerWallet,
  introductionLifetimeMs,
  introductionsPendingPerCalleeMax,
  introductionsPendingPerCallerMax,
} from '../../agent/index.ts';
import { AgentHarness, logCodes, profile, sentTo, wallet } from './harness.ts';

const bob = wallet('bob', 2);
const bobAddress = '198.18.2.2:40000';
const alice = wallet(undefined, 1); // hosted elsewhere: reaches agent2 directly
const aliceAddress = '198.18.1.2:40000';

test('offline target: "introduce-offline" at once, in the same step', () => {
  const agent = new AgentHarness();
  const effects = agent.introduce(alice, aliceAddress, 'bob@agent2', 7);
  assert.deepEqual(sentTo(effects, alice), [{ type: 'introduce-offline', requestId: 7 }]);
  // Logged in, then gone quiet past the expiry: offline again.
  agent.login(bob, bobAddress);
  agent.nowMs = 70_000;
  assert.deepEqual(sentTo(agent.introduce(alice, aliceAddress, 'bob@agent2', 8), alice), [{ type: 'introduce-offline', requestId: 8 }]);
});

test('an introduction hands both sides the other\'s OBSERVED address, one fresh secret and session id', () => {
  const agent = new AgentHarness();
  agent.login(bob, bobAddress, 44);
  // Bob roams: any authenticated message moves his observed address.
  agent.message(bob, '198.18.2.2:41000', { type: 'presence-keepalive', sequence: 1, rttMs: 40 });
  const effects = agent.introduce(alice, aliceAddress, 'bob@agent2', 3);
  const [toAlice] = sentTo(effects, alice);
  const [toBob] = sentTo(effects, bob);
  assert.ok(toAlice?.type === 'introduce-offer' && toBob?.type === 'introduce-offer');
  assert.equal(toAlice.requestId, 3);
  assert.equal(toBob.requestId, 0);
  assert.equal(toAlice.role, 'caller');
  assert.equal(toBob.role, 'callee');
  assert.deepEqual(toAlice.sessionId, toBob.sessionId);
  assert.deepEqual(toAlice.secret, toBob.secret);
  assert.equal(toAlice.secret.length, 32);
  assert.equal(toAlice.peerObserved, '198.18.2.2:41000');
  assert.equal(toBob.peerObserved, aliceAddress);
  assert.deepEqual(toAlice.peerKey, bob.key);
  assert.deepEqual(toBob.peerKey, alice.key);
  assert.equal(toAlice.peerRttMs, 40);
  assert.equal(toBob.peerRttMs, 30);
  assert.deepEqual(toAlice.profile, profile);
  assert.deepEqual(toBob.profile, profile);
  const again = sentTo(agent.introduce(alice, aliceAddress, 'bob@agent2', 4), alice)[0];
  assert.ok(again?.type === 'introduce-offer');
  assert.notDeepEqual(again.sessionId, toAlice.sessionId, 'fresh per introduction');
  assert.notDeepEqual(again.secret, toAlice.secret);
});

test('bad targets are refused with a reason', () => {
  const agent = new AgentHarness();
  agent.login(bob, bobAddress);
  const cases: [string, string, string][] = [
    ['bob', 'bad-request', 'RENDEZVOUS_BAD_REQUEST'],
    ['Bob@agent2', 'bad-request', 'RENDEZVOUS_BAD_REQUEST'],
    ['bob@agent9', 'not-here', 'RENDEZVOUS_NOT_HERE'],
  ];
  for (const [target, reason, code] of cases) {
    agent.nowMs += 2_000; // stay under the rate limit
    const effects = agent.introduce(alice, aliceAddress, target);
    assert.deepEqual(sentTo(effects, alice), [{ type: 'introduce-refused', requestId: 1, reason }], target);
    assert.deepEqual(logCodes(effects), [code], target);
  }
  agent.nowMs += 2_000;
  assert.deepEqual(sentTo(agent.introduce(bob, bobAddress, 'bob@agent2'), bob), [{ type: 'introduce-refused', requestId: 1, reason: 'bad-request' }], 'oneself');
});

test('rate limit per calling wallet: a burst, then refusals, then it refills', () => {
  const agent = new AgentHarness();
  const answers = Array.from({ length: introductionBurstPerWallet + 2 }, (_, index) => sentTo(agent.introduce(alice, `198.18.1.${index + 2}:40000`, 'carol@agent2', index), alice)[0]?.type);
  assert.deepEqual(answers, [...Array(introductionBurstPerWallet).fill('introduce-offline'), 'introduce-refused', 'introduce-refused']);
  agent.nowMs = 1_000;
  assert.equal(sentTo(agent.introduce(alice, aliceAddress, 'carol@agent2'), alice)[0]?.type, 'introduce-offline');
});

test('rate limit per source host: many fresh wallet keys from one address do not get through', () => {
  const agent = new AgentHarness();
  const answers = Array.from({ length: introductionBurstPerSource + 3 }, (_, index) => {
    const sybil = wallet(undefined, 1_000 + index);
    return sentTo(agent.introduce(sybil, `203.0.113.7:${40_000 + index}`, 'carol@agent2'), sybil)[0];
  });
  assert.equal(answers.filter((answer) => answer?.type === 'introduce-offline').length, introductionBurstPerSource);
  assert.deepEqual(answers.slice(introductionBurstPerSource).map((answer) => answer?.type === 'introduce-refused' && answer.reason), ['rate-limited', 'rate-limited', 'rate-limited']);
});

test('pending introductions are bounded per caller and per callee, and free up on expiry', () => {
  const agent = new AgentHarness();
  agent.login(bob, bobAddress);
  const offers = (count: number, caller = alice, host = 1): string[] =>
    Array.from({ length: count }, () => {
      agent.nowMs += 1_000; // under the rate limits
      agent.message(bob, bobAddress, { type: 'presence-keepalive', sequence: 1, rttMs: 20 });
      return sentTo(agent.introduce(caller, `198.18.${host}.2:40000`, 'bob@agent2'), caller)[0]?.type ?? 'none';
    });
  const answers = offers(introductionsPendingPerCallerMax + 1);
  assert.deepEqual(answers.slice(0, -1), Array(introductionsPendingPerCallerMax).fill('introduce-offer'));
  assert.equal(answers.at(-1), 'introduce-refused');
  // Other callers fill bob's own allowance.
  let accepted = introductionsPendingPerCallerMax;
  for (let index = 0; accepted < introductionsPendingPerCalleeMax; index++) {
    accepted += offers(1, wallet(undefined, 50 + index), 10 + index).filter((type) => type === 'introduce-offer').length;
  }
  assert.equal(offers(1, wallet(undefined, 99), 99)[0], 'introduce-refused');
  agent.tick(agent.nowMs + introductionLifetimeMs);
  agent.message(bob, bobAddress, { type: 'presence-keepalive', sequence: 2, rttMs: 20 });
  assert.equal(offers(1)[0], 'introduce-offer', 'expired introductions no longer count');
});
