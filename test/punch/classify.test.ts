import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRng } from '../../names/index.ts';
import {
  classifyStep,
  decodeWith,
  natClassifyDeadlineMs,
  natProbeRequestBytes,
  rendezvousRegistry,
  startClassification,
  type Address,
  type ClassifyEffect,
  type ClassifyInput,
  type ClassifyState,
  type NatProfile,
  type NatProbeReplyFrom,
} from '../../rendezvous/index.ts';
import type { SimHostSpec } from './nat-sim.ts';
import { SimWorld } from './sim-world.ts';

const primary: Address = '198.18.0.2:3478';
const probeAddress: Address = '198.18.0.3:3478';

function input(overrides: Partial<ClassifyInput> = {}): ClassifyInput {
  return { primary, probeAddress, localAddresses: ['10.77.1.2:40000'], rng: seededRng(3), ...overrides };
}

function probesIn(effects: ClassifyEffect[]): { to: Address; nonce: Uint8Array; replyFrom: NatProbeReplyFrom; length: number }[] {
  return effects.flatMap((effect) => {
    if (effect.kind !== 'send') return [];
    const decoded = decodeWith(rendezvousRegistry, effect.bytes);
    assert.ok(decoded.ok && decoded.message.type === 'nat-probe');
    return [{ to: effect.to, nonce: decoded.message.nonce, replyFrom: decoded.message.replyFrom, length: effect.bytes.length }];
  });
}

/** Plays an agent that answers the probes a NAT with these behaviours lets through. */
function answer(state: ClassifyState, effects: ClassifyEffect[], nowMs: number, nat: { observedFor: (to: Address) => Address; passes: (replyFrom: NatProbeReplyFrom) => boolean }): ClassifyEffect[] {
  const out: ClassifyEffect[] = [];
  for (const probe of probesIn(effects)) {
    if (probe.replyFrom !== 'same' && !nat.passes(probe.replyFrom)) continue;
    const message = { type: 'nat-probe-reply', nonce: probe.nonce, replyFrom: probe.replyFrom, observed: nat.observedFor(probe.to) } as const;
    out.push(...classifyStep(state, { kind: 'reply', message }, nowMs).effects);
  }
  return out;
}

function classify(nat: { observedFor: (to: Address) => Address; passes: (replyFrom: NatProbeReplyFrom) => boolean }, overrides: Partial<ClassifyInput> = {}): { profile: NatProfile; order: Address[] } {
  const { state, effects } = startClassification(input(overrides), 0);
  const order: Address[] = [];
  let pending = effects;
  let nowMs = 0;
  for (let round = 0; round < 50; round++) {
    order.push(...probesIn(pending).map((probe) => probe.to));
    const classified = pending.find((effect) => effect.kind === 'classified');
    if (classified?.kind === 'classified') return { profile: classified.result.profile, order };
    const replies = answer(state, pending, nowMs, nat);
    const timer = [...pending, ...replies].reverse().find((effect) => effect.kind === 'timer');
    pending = replies.filter((effect) => effect.kind !== 'timer');
    if (pending.length === 0 && timer?.kind === 'timer') {
      nowMs = timer.atMs;
      pending = classifyStep(state, { kind: 'tick' }, nowMs).effects;
    }
  }
  assert.fail('classification did not finish');
}

test('observations → profile: mapping from two agent addresses, filtering from the answers that arrive', () => {
  const same = () => '198.18.1.2:40000' as Address;
  const perDestination = (to: Address) => (to === primary ? '198.18.1.2:1111' : '198.18.1.2:2222') as Address;
  assert.deepEqual(classify({ observedFor: same, passes: () => true }).profile, { mapping: 'endpoint-independent', filtering: 'endpoint-independent' });
  assert.deepEqual(classify({ observedFor: same, passes: (from) => from === 'other-port' }).profile, { mapping: 'endpoint-independent', filtering: 'address-dependent' });
  assert.deepEqual(classify({ observedFor: same, passes: () => false }).profile, { mapping: 'endpoint-independent', filtering: 'address-port-dependent' });
  assert.deepEqual(classify({ observedFor: perDestination, passes: () => false }).profile, { mapping: 'endpoint-dependent', filtering: 'address-port-dependent' });
  const local = () => '10.77.1.2:40000' as Address;
  assert.deepEqual(classify({ observedFor: local, passes: () => true }).profile, { mapping: 'none', filtering: 'endpoint-independent' });
});

test('the mapping probe to the second address goes out only after the filtering tests (it would open an address-dependent filter)', () => {
  const { order } = classify({ observedFor: () => '198.18.1.2:40000', passes: () => false });
  const firstOther = order.indexOf(probeAddress);
  assert.ok(firstOther > 0 && order.slice(0, firstOther).every((to) => to === primary));
});

test('probes are padded to a fixed size, so the agent answer is never larger', () => {
  const { effects } = startClassification(input(), 0);
  const probes = probesIn(effects);
  assert.equal(probes.length, 3);
  assert.ok(probes.every((probe) => probe.length === natProbeRequestBytes));
});

test('an agent that never answers: unknown, by the deadline', () => {
  const { state, effects } = startClassification(input(), 0);
  let timer = effects.find((effect) => effect.kind === 'timer');
  let result: ClassifyEffect | undefined;
  while (timer?.kind === 'timer' && result === undefined) {
    const step = classifyStep(state, { kind: 'tick' }, timer.atMs);
    result = step.effects.find((effect) => effect.kind === 'classified');
    timer = step.effects.find((effect) => effect.kind === 'timer');
  }
  assert.ok(result?.kind === 'classified');
  assert.deepEqual(result.result, { profile: { mapping: 'unknown', filtering: 'unknown' }, observed: undefined });
  assert.ok((timer?.kind === 'timer' ? timer.atMs : 0) <= natClassifyDeadlineMs);
});

test('without the agent\'s second address the mapping stays unknown', () => {
  const { profile } = classify({ observedFor: () => '198.18.1.2:40000', passes: () => false }, { probeAddress: undefined });
  assert.deepEqual(profile, { mapping: 'unknown', filtering: 'address-port-dependent' });
});

test('a reply with a nonce we never sent is logged and ignored', () => {
  const { state } = startClassification(input(), 0);
  const message = { type: 'nat-probe-reply', nonce: new Uint8Array(16), replyFrom: 'same', observed: '198.18.1.2:40000' } as const;
  const { effects } = classifyStep(state, { kind: 'reply', message }, 5);
  assert.ok(effects.some((effect) => effect.kind === 'log' && effect.code === 'NAT_PROBE_UNEXPECTED'));
});

test('the simulated Linux NATs classify as the lab measured them', () => {
  const expected: [SimHostSpec, NatProfile][] = [
    [{ nat: 'open', firewall: false }, { mapping: 'none', filtering: 'endpoint-independent' }],
    [{ nat: 'open', firewall: true }, { mapping: 'none', filtering: 'address-port-dependent' }],
    [{ nat: 'full-cone', firewall: false }, { mapping: 'endpoint-independent', filtering: 'endpoint-independent' }],
    [{ nat: 'full-cone', firewall: true }, { mapping: 'endpoint-independent', filtering: 'endpoint-independent' }],
    [{ nat: 'port-restricted', firewall: false }, { mapping: 'endpoint-independent', filtering: 'address-port-dependent' }],
    [{ nat: 'port-restricted', firewall: true }, { mapping: 'endpoint-independent', filtering: 'address-port-dependent' }],
    [{ nat: 'symmetric', firewall: false }, { mapping: 'endpoint-dependent', filtering: 'address-port-dependent' }],
    [{ nat: 'symmetric', firewall: true }, { mapping: 'endpoint-dependent', filtering: 'address-port-dependent' }],
  ];
  for (const [index, [spec, profile]] of expected.entries()) {
    const world = new SimWorld(100 + index);
    const wallet = world.wallet('alice', world.router(1, spec));
    wallet.start();
    world.runUntil(() => wallet.classified !== undefined, natClassifyDeadlineMs + 1_000);
    assert.deepEqual(wallet.classified?.profile, profile, `${spec.nat}${spec.firewall ? '+fw' : ''}`);
    assert.equal(wallet.classified?.observed?.split(':')[0], spec.nat === 'open' ? wallet.host : '198.18.1.2');
  }
});
