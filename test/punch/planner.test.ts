import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRng } from '../../names/index.ts';
import {
  birthdayMissProbability,
  chooseStrategy,
  decodePunchPacket,
  derivePunchMacKey,
  encodePunchPacket,
  punchBirthdayBatch,
  punchBirthdayDeadlineMs,
  punchBirthdayProbesMax,
  punchBirthdaySockets,
  punchBirthdaySprayDelayMs,
  punchDirectDeadlineMs,
  punchLingerMs,
  punchNormalTtl,
  punchOpenerLeadMs,
  punchOpenerTtlBehindNat,
  punchOpenerTtlOpen,
  punchStartDelayMaxMs,
  punchStep,
  startDelayMs,
  startPunch,
  type Address,
  type Introduction,
  type NatProfile,
  type PunchEffect,
  type PunchState,
} from '../../rendezvous/index.ts';

const cone: NatProfile = { mapping: 'endpoint-independent', filtering: 'address-port-dependent' };
const fullCone: NatProfile = { mapping: 'endpoint-independent', filtering: 'endpoint-independent' };
const symmetric: NatProfile = { mapping: 'endpoint-dependent', filtering: 'address-port-dependent' };
const open: NatProfile = { mapping: 'none', filtering: 'endpoint-independent' };
const sessionId = new Uint8Array(16).fill(0x11);
const secret = new Uint8Array(32).fill(0x22);
const macKey = derivePunchMacKey(secret, sessionId);
const peerObserved: Address = '198.18.2.2:40000';
const peerPrivate: Address = '10.77.2.2:40000';

function introduction(role: 'caller' | 'callee', mine: NatProfile, peer: NatProfile, rtt = { mine: 20, peer: 20 }): Introduction {
  return { role, sessionId, secret, mine: { profile: mine, rttToAgentMs: rtt.mine }, peer: { observed: peerObserved, privateAddresses: [peerPrivate], profile: peer, rttToAgentMs: rtt.peer } };
}

/** Runs a planner alone, ticking at its timers, until `untilMs`; returns every effect with its time. */
function runAlone(state: PunchState, effects: PunchEffect[], startMs: number, untilMs: number): { atMs: number; effect: PunchEffect }[] {
  const log = effects.map((effect) => ({ atMs: startMs, effect }));
  let timer = [...effects].reverse().find((effect) => effect.kind === 'timer');
  while (timer?.kind === 'timer' && timer.atMs <= untilMs) {
    const atMs = timer.atMs;
    const step = punchStep(state, { kind: 'tick' }, atMs);
    for (const effect of step.effects) log.push({ atMs, effect });
    timer = step.effects.find((effect) => effect.kind === 'timer');
  }
  return log;
}

const sends = (log: { atMs: number; effect: PunchEffect }[]) =>
  log.flatMap(({ atMs, effect }) => (effect.kind === 'send' ? [{ atMs, ...effect, packet: decodePunchPacket(effect.bytes, sessionId, macKey) }] : []));

function peerPacket(kind: 'probe' | 'ack', sequence: number, echo: number, nominated = false, role: 'caller' | 'callee' = 'callee', key = macKey): Uint8Array {
  return encodePunchPacket({ kind, role, nominated, sessionId, sequence, echo }, key);
}

test('strategy table: direct unless a side is endpoint-dependent and no side is reachable', () => {
  assert.equal(chooseStrategy(cone, cone), 'direct');
  assert.equal(chooseStrategy(open, symmetric), 'direct');
  assert.equal(chooseStrategy(fullCone, symmetric), 'direct');
  assert.equal(chooseStrategy(symmetric, fullCone), 'direct');
  assert.equal(chooseStrategy(symmetric, cone), 'birthday-many');
  assert.equal(chooseStrategy(cone, symmetric), 'birthday-spray');
  assert.equal(chooseStrategy({ mapping: 'none', filtering: 'address-port-dependent' }, symmetric), 'birthday-spray');
  assert.equal(chooseStrategy(symmetric, symmetric), 'relay');
  assert.equal(chooseStrategy({ mapping: 'unknown', filtering: 'unknown' }, symmetric), 'birthday-spray');
});

test('DCUtR alignment: the nearer side waits half the RTT difference, within bounds', () => {
  assert.equal(startDelayMs(20, 100), 40);
  assert.equal(startDelayMs(100, 20), 0);
  assert.equal(startDelayMs(0, 60_000), punchStartDelayMaxMs);
});

test('birthday numbers: 256 mappings and 1024 probes hit ≈ 98%, 2048 probes ≈ 99.97%', () => {
  assert.ok(Math.abs(1 - birthdayMissProbability(256, 1024) - 0.983) < 0.002);
  assert.ok(birthdayMissProbability(punchBirthdaySockets, punchBirthdayProbesMax) < 0.0005);
});

test('direct: low-TTL openers go out at once, normal probes only after the aligned start and the lead', () => {
  const { state, effects } = startPunch(introduction('caller', cone, cone, { mine: 20, peer: 100 }), seededRng(1), 1_000);
  const log = sends(runAlone(state, effects, 1_000, 1_400));
  const toObserved = log.filter((send) => send.to === peerObserved);
  const openers = toObserved.filter((send) => send.ttl === punchOpenerTtlBehindNat);
  assert.ok(openers.length >= 2 && openers.every((send) => send.atMs === 1_000), 'openers at once');
  const firstNormal = toObserved.find((send) => send.ttl === punchNormalTtl)!;
  assert.equal(firstNormal.atMs, 1_000 + 40 + punchOpenerLeadMs, 'normal probes after start (40 ms) + lead');
  const toPrivate = log.filter((send) => send.to === peerPrivate);
  assert.ok(toPrivate.length > 0 && toPrivate.every((send) => send.ttl === punchNormalTtl && send.atMs >= 1_040), 'private addresses: normal TTL from the start');
  assert.ok(log.every((send) => send.socket === 0 && send.packet.kind === 'probe' && send.packet.role === 'caller'));
});

test('an open host sends its openers with TTL 1', () => {
  const { effects } = startPunch(introduction('caller', { mapping: 'none', filtering: 'address-port-dependent' }, cone), seededRng(1), 0);
  const openers = effects.filter((effect) => effect.kind === 'send' && effect.to === peerObserved);
  assert.ok(openers.length > 0 && openers.every((effect) => effect.kind === 'send' && effect.ttl === punchOpenerTtlOpen));
});

test('a valid probe is acked to its observed source from its socket, and the source becomes a target', () => {
  const { state } = startPunch(introduction('caller', cone, cone), seededRng(1), 0);
  const from: Address = '198.18.2.2:51000';
  const { effects } = punchStep(state, { kind: 'datagram', socket: 0, from, bytes: peerPacket('probe', 9, 0) }, 10);
  const ack = effects.find((effect) => effect.kind === 'send' && effect.to === from);
  assert.ok(ack?.kind === 'send');
  const packet = decodePunchPacket(ack.bytes, sessionId, macKey);
  assert.equal(packet.kind, 'ack');
  assert.equal(packet.echo, 9);
  assert.ok(state.targets.some((target) => target.address === from && target.origin === 'learned'));
});

test('forged, reflected and misdirected packets are dropped with a logged reason and never answered', () => {
  const { state } = startPunch(introduction('caller', cone, cone), seededRng(1), 0);
  const from: Address = '198.18.2.2:40000';
  const forged = peerPacket('probe', 1, 0, false, 'callee', derivePunchMacKey(new Uint8Array(32).fill(9), sessionId));
  const cases: [Uint8Array, string][] = [
    [forged, 'PUNCH_BAD_MAC'],
    [peerPacket('probe', 1, 0, false, 'caller'), 'PUNCH_REFLECTED'],
    [peerPacket('ack', 1, 12345), 'PUNCH_UNEXPECTED_ACK'],
    [new Uint8Array(42), 'PUNCH_UNKNOWN_TYPE'],
  ];
  for (const [bytes, code] of cases) {
    const { effects } = punchStep(state, { kind: 'datagram', socket: 0, from, bytes }, 5);
    assert.ok(effects.some((effect) => effect.kind === 'log' && effect.code === code), code);
    assert.ok(!effects.some((effect) => effect.kind === 'send' && effect.to === from), `${code}: not answered`);
    assert.equal(state.established, undefined);
  }
});

test('an ack establishes the path only from the address and socket its probe went to', () => {
  const { state, effects } = startPunch(introduction('caller', cone, cone), seededRng(1), 0);
  const probe = sends(runAlone(state, effects, 0, 200)).find((send) => send.to === peerObserved && send.ttl === punchNormalTtl)!;
  const elsewhere = punchStep(state, { kind: 'datagram', socket: 0, from: '198.18.9.9:40000', bytes: peerPacket('ack', 5, probe.packet.sequence) }, 150);
  assert.ok(elsewhere.effects.some((effect) => effect.kind === 'log' && effect.code === 'PUNCH_UNEXPECTED_ACK'));
  const otherSocket = punchStep(state, { kind: 'datagram', socket: 3, from: peerObserved, bytes: peerPacket('ack', 6, probe.packet.sequence) }, 150);
  assert.ok(otherSocket.effects.some((effect) => effect.kind === 'log' && effect.code === 'PUNCH_UNEXPECTED_ACK'));
  const good = punchStep(state, { kind: 'datagram', socket: 0, from: peerObserved, bytes: peerPacket('ack', 7, probe.packet.sequence) }, 160);
  const established = good.effects.find((effect) => effect.kind === 'established');
  assert.deepEqual(established, { kind: 'established', socket: 0, address: peerObserved, rttMs: 160 - probe.atMs });
  const rest = runAlone(state, good.effects, 160, 160 + punchLingerMs + 1_000);
  assert.ok(rest.some(({ effect }) => effect.kind === 'finished'));
  assert.ok(!rest.some(({ effect }) => effect.kind === 'relay'));
});

test('no answer: the punch gives up at its deadline and asks for a relay', () => {
  const { state, effects } = startPunch(introduction('caller', cone, cone), seededRng(1), 0);
  const log = runAlone(state, effects, 0, 60_000);
  const relay = log.find(({ effect }) => effect.kind === 'relay');
  assert.ok(relay !== undefined && relay.effect.kind === 'relay' && relay.effect.reason === 'timeout');
  assert.ok(relay.atMs <= punchDirectDeadlineMs + 50);
  assert.ok(log.some(({ effect }) => effect.kind === 'finished'));
  const probesPerTarget = sends(log).filter((send) => send.to === peerObserved).length;
  assert.ok(probesPerTarget < 20, `${probesPerTarget} packets to one target: backed off`);
});

test('both endpoint-dependent: relay at once, still trying the private addresses', () => {
  const { state, effects } = startPunch(introduction('caller', symmetric, symmetric), seededRng(1), 0);
  assert.deepEqual(effects[0], { kind: 'relay', reason: 'both-endpoint-dependent' });
  const log = sends(runAlone(state, effects, 0, 5_000));
  assert.ok(log.length > 0 && log.every((send) => send.to === peerPrivate));
});

test('birthday, many-socket side: 256 sockets, one low-TTL opener each, paced; the hit socket is kept', () => {
  const { state, effects } = startPunch(introduction('callee', symmetric, cone), seededRng(1), 0);
  assert.deepEqual(effects.find((effect) => effect.kind === 'open-sockets'), { kind: 'open-sockets', count: punchBirthdaySockets });
  const log = runAlone(state, effects, 0, 500);
  const openers = sends(log).filter((send) => send.socket > 0);
  assert.equal(openers.length, punchBirthdaySockets);
  assert.deepEqual(new Set(openers.map((send) => send.socket)).size, punchBirthdaySockets);
  assert.ok(openers.every((send) => send.ttl === punchOpenerTtlBehindNat && send.to === peerObserved));
  const perInstant = new Map<number, number>();
  for (const send of openers) perInstant.set(send.atMs, (perInstant.get(send.atMs) ?? 0) + 1);
  assert.ok(Math.max(...perInstant.values()) <= punchBirthdayBatch, 'paced');
  // The spray lands on socket 77: answered from socket 77; its own probe's ack keeps it.
  const sprayer: Address = '198.18.1.2:40000';
  const hit = punchStep(state, { kind: 'datagram', socket: 77, from: sprayer, bytes: peerPacket('probe', 1, 0, false, 'caller') }, 600);
  const answers = hit.effects.filter((effect) => effect.kind === 'send' && effect.socket === 77 && effect.to === sprayer);
  assert.ok(answers.length >= 2, 'ack and probe from the hit socket');
  const probe = answers.map((effect) => effect.kind === 'send' && decodePunchPacket(effect.bytes, sessionId, macKey)).find((packet) => packet && packet.kind === 'probe');
  assert.ok(probe);
  const done = punchStep(state, { kind: 'datagram', socket: 77, from: sprayer, bytes: peerPacket('ack', 2, probe.sequence, false, 'caller') }, 620);
  assert.deepEqual(done.effects.find((effect) => effect.kind === 'close-sockets'), { kind: 'close-sockets', keep: 77 });
  assert.ok(done.effects.some((effect) => effect.kind === 'established' && effect.socket === 77));
});

test('birthday, spraying side: at most 2048 distinct ports, paced, after the spray delay, within the time budget', () => {
  const { state, effects } = startPunch(introduction('caller', cone, symmetric), seededRng(5), 0);
  const log = runAlone(state, effects, 0, 20_000);
  const spray = sends(log).filter((send) => send.to.startsWith('198.18.2.2:') && send.to !== peerObserved);
  assert.equal(spray.length, punchBirthdayProbesMax);
  assert.equal(new Set(spray.map((send) => send.to)).size, punchBirthdayProbesMax, 'distinct ports');
  assert.ok(spray.every((send) => send.ttl === punchNormalTtl && send.atMs >= punchBirthdaySprayDelayMs));
  const perInstant = new Map<number, number>();
  for (const send of spray) perInstant.set(send.atMs, (perInstant.get(send.atMs) ?? 0) + 1);
  assert.ok(Math.max(...perInstant.values()) <= punchBirthdayBatch, 'paced');
  const relay = log.find(({ effect }) => effect.kind === 'relay');
  assert.ok(relay !== undefined && relay.atMs <= punchBirthdayDeadlineMs + 50 && relay.atMs <= 10_000);
});

test('nomination: the other side follows the controlling side, but only onto a path it verified', () => {
  // We are the callee (not controlling) and established on the observed address.
  const { state, effects } = startPunch(introduction('callee', cone, cone), seededRng(1), 0);
  const log = sends(runAlone(state, effects, 0, 200));
  const toObserved = log.find((send) => send.to === peerObserved && send.ttl === punchNormalTtl)!;
  punchStep(state, { kind: 'datagram', socket: 0, from: peerObserved, bytes: peerPacket('ack', 1, toObserved.packet.sequence, false, 'caller') }, 200);
  assert.equal(state.established?.address, peerObserved);
  // A nominated packet from an unverified address (a replay by an observer) does not move the path…
  const replayed = peerPacket('probe', 2, 0, true, 'caller');
  const attacker: Address = '203.0.113.9:4444';
  punchStep(state, { kind: 'datagram', socket: 0, from: attacker, bytes: replayed }, 210);
  assert.equal(state.established?.address, peerObserved);
  // …and the attacker cannot complete the verification without the MAC key.
  const forgedAck = peerPacket('ack', 3, state.nextSequence - 1, false, 'caller', derivePunchMacKey(new Uint8Array(32), sessionId));
  punchStep(state, { kind: 'datagram', socket: 0, from: attacker, bytes: forgedAck }, 220);
  assert.equal(state.established?.address, peerObserved);
  // The real peer nominates its private address, which we verified: we switch.
  const toPrivate = log.find((send) => send.to === peerPrivate)!;
  punchStep(state, { kind: 'datagram', socket: 0, from: peerPrivate, bytes: peerPacket('ack', 4, toPrivate.packet.sequence, false, 'caller') }, 230);
  assert.equal(state.established?.address, peerObserved, 'a plain ack on another path does not switch');
  const switched = punchStep(state, { kind: 'datagram', socket: 0, from: peerPrivate, bytes: peerPacket('probe', 5, 0, true, 'caller') }, 240);
  assert.equal(state.established?.address, peerPrivate);
  assert.ok(switched.effects.some((effect) => effect.kind === 'established' && effect.address === peerPrivate));
});

test('two planners wired back to back establish each other, in sync with their own clocks', () => {
  const caller = startPunch({ ...introduction('caller', cone, cone), peer: { ...introduction('caller', cone, cone).peer, observed: '198.18.2.2:40000' } }, seededRng(1), 0);
  const callee = startPunch({ ...introduction('callee', cone, cone), peer: { ...introduction('callee', cone, cone).peer, observed: '198.18.1.2:40000' } }, seededRng(2), 0);
  const sides = [
    { state: caller.state, address: '198.18.1.2:40000' as Address, pending: caller.effects, established: undefined as Address | undefined },
    { state: callee.state, address: '198.18.2.2:40000' as Address, pending: callee.effects, established: undefined as Address | undefined },
  ];
  let nowMs = 0;
  const queue: { atMs: number; to: number; from: Address; bytes: Uint8Array }[] = [];
  const timers = [0, 0];
  for (let round = 0; round < 400 && sides.some((side) => side.established === undefined); round++) {
    sides.forEach((side, index) => {
      for (const effect of side.pending) {
        if (effect.kind === 'send' && effect.ttl > 2 && (effect.to === sides[1 - index]!.address)) queue.push({ atMs: nowMs + 10, to: 1 - index, from: side.address, bytes: effect.bytes });
        if (effect.kind === 'timer') timers[index] = effect.atMs;
        if (effect.kind === 'established') side.established = effect.address;
      }
      side.pending = [];
    });
    queue.sort((a, b) => a.atMs - b.atMs);
    const nextMs = Math.min(queue[0]?.atMs ?? Infinity, ...timers);
    nowMs = nextMs;
    const due = queue.filter((item) => item.atMs <= nowMs);
    queue.splice(0, due.length);
    for (const item of due) sides[item.to]!.pending.push(...punchStep(sides[item.to]!.state, { kind: 'datagram', socket: 0, from: item.from, bytes: item.bytes }, nowMs).effects);
    sides.forEach((side, index) => {
      if (timers[index]! <= nowMs) {
        timers[index] = Infinity;
        side.pending.push(...punchStep(side.state, { kind: 'tick' }, nowMs).effects);
      }
    });
  }
  assert.equal(sides[0]!.established, '198.18.2.2:40000');
  assert.equal(sides[1]!.established, '198.18.1.2:40000');
  assert.ok(nowMs < 500, `established at ${nowMs} ms`);
});
