import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRng } from '../../names/index.ts';
import { relayBurstBytesGlobal, relayBurstBytesPerRelay, relayBytesMax, relayIdleMs, relayLifetimeMs, relaysPerWalletMax } from '../../agent/index.ts';
import { allocateRelay, createRelayTable, forwardRelay, rendezvousAgentStep, sweepRelays } from '../../agent/rendezvous/index.ts';
import { decodeRelayPacket, encodeRelayPacket, type RendezvousMessage } from '../../rendezvous/index.ts';
import { AgentHarness, logCodes, sentTo, wallet } from './harness.ts';

const bob = wallet('bob', 2);
const alice = wallet(undefined, 1);
const bobAddress = '198.18.2.2:40000';
const aliceAddress = '198.18.1.2:40000';

function introduced(): { agent: AgentHarness; sessionId: Uint8Array } {
  const agent = new AgentHarness();
  agent.login(bob, bobAddress);
  const [offer] = sentTo(agent.introduce(alice, aliceAddress, 'bob@agent2'), alice);
  assert.ok(offer?.type === 'introduce-offer');
  return { agent, sessionId: offer.sessionId };
}

function readyOf(messages: RendezvousMessage[]) {
  const ready = messages.find((message) => message.type === 'relay-ready');
  assert.ok(ready?.type === 'relay-ready');
  return ready;
}

test('relay-allocate for a live introduction: both sides get their own token; packets cross, re-labelled', () => {
  const { agent, sessionId } = introduced();
  const effects = agent.message(alice, aliceAddress, { type: 'relay-allocate', sessionId });
  const forAlice = readyOf(sentTo(effects, alice));
  const forBob = readyOf(sentTo(effects, bob));
  assert.notDeepEqual(forAlice.token, forBob.token);
  assert.equal(forAlice.relayAddress, '198.18.0.2:3478');
  assert.equal(forAlice.expiresInMs, relayLifetimeMs);
  const payload = Uint8Array.of(7, 7, 7);
  const [forward] = agent.datagram('primary', aliceAddress, encodeRelayPacket(forAlice.token, payload));
  assert.ok(forward?.kind === 'send-datagram' && forward.to === bobAddress && forward.from === 'primary');
  const decoded = decodeRelayPacket(forward.bytes);
  assert.deepEqual(decoded.token, forBob.token, 'the receiver sees its own token');
  assert.deepEqual(decoded.payload, payload, 'the payload is untouched');
  // Asking again (the other side, say) gives the same relay.
  assert.deepEqual(readyOf(sentTo(agent.message(bob, bobAddress, { type: 'relay-allocate', sessionId }), bob)).token, forBob.token);
});

test('a token used from another address, an unknown token, or a foreign session is dropped or refused', () => {
  const { agent, sessionId } = introduced();
  const forAlice = readyOf(sentTo(agent.message(alice, aliceAddress, { type: 'relay-allocate', sessionId }), alice));
  assert.deepEqual(logCodes(agent.datagram('primary', '203.0.113.5:40000', encodeRelayPacket(forAlice.token, Uint8Array.of(1)))), ['RENDEZVOUS_RELAY_WRONG_SOURCE']);
  assert.deepEqual(logCodes(agent.datagram('primary', aliceAddress, encodeRelayPacket(new Uint8Array(16), Uint8Array.of(1)))), ['RENDEZVOUS_RELAY_UNKNOWN_TOKEN']);
  assert.deepEqual(logCodes(agent.datagram('primary', aliceAddress, Uint8Array.of(0x52, 1, 2))), ['RENDEZVOUS_RELAY_BAD_PACKET']);
  const carol = wallet('carol', 3);
  assert.deepEqual(sentTo(agent.message(carol, '198.18.3.2:40000', { type: 'relay-allocate', sessionId }), carol), [{ type: 'relay-refused', sessionId, reason: 'unknown-session' }]);
  agent.nowMs = 31_000; // the introduction is over
  const otherSession = new Uint8Array(16).fill(9);
  assert.deepEqual(sentTo(agent.message(alice, aliceAddress, { type: 'relay-allocate', sessionId: otherSession }), alice)[0], { type: 'relay-refused', sessionId: otherSession, reason: 'unknown-session' });
});

test('a side that roams keeps its relay: its authenticated address follows the session', () => {
  const { agent, sessionId } = introduced();
  const forBob = readyOf(sentTo(agent.message(alice, aliceAddress, { type: 'relay-allocate', sessionId }), bob));
  agent.message(bob, '198.18.2.2:45555', { type: 'presence-keepalive', sequence: 1, rttMs: 20 });
  const [forward] = agent.datagram('primary', '198.18.2.2:45555', encodeRelayPacket(forBob.token, Uint8Array.of(1)));
  assert.ok(forward?.kind === 'send-datagram' && forward.to === aliceAddress);
});

test('per-relay and global bandwidth buckets drop the excess; the byte limit closes the relay', () => {
  const table = createRelayTable(0);
  const rng = seededRng(1);
  const side = (index: number) => ({ walletKeyHex: `w${index}`, address: `198.18.${index}.2:40000` as const });
  const first = allocateRelay(table, new Uint8Array(16).fill(1), [side(1), side(2)], rng, 0);
  assert.ok(first.ok);
  const token = first.relay.sides[0].token;
  let forwarded = 0;
  while (forwardRelay(table, token, side(1).address, 1_000, 0).ok) forwarded += 1_000;
  assert.ok(forwarded <= relayBurstBytesPerRelay && forwarded > relayBurstBytesPerRelay - 1_000);
  assert.equal((forwardRelay(table, token, side(1).address, 1_000, 0) as { code: string }).code, 'RENDEZVOUS_RELAY_RATE_LIMITED');
  assert.ok(forwardRelay(table, token, side(1).address, 1_000, 1_000).ok, 'refilled a second later');
  // Many relays together stop at the global burst.
  let total = 0;
  for (let index = 0; index < 64; index++) {
    const relay = allocateRelay(table, new Uint8Array(16).fill(10 + index), [side(10 + index), side(100 + index)], rng, 1_000);
    assert.ok(relay.ok);
    while (forwardRelay(table, relay.relay.sides[0].token, side(10 + index).address, 10_000, 1_000).ok) total += 10_000;
  }
  assert.ok(total <= relayBurstBytesGlobal, `${total} bytes in one instant`);
  const result = forwardRelay(table, token, side(1).address, relayBytesMax, 30_000);
  assert.deepEqual(result, { ok: false, code: 'RENDEZVOUS_RELAY_EXHAUSTED' });
  assert.equal(table.bySession.has(first.relay.sessionHex), false, 'closed');
});

test('relays are bounded per wallet and expire when idle or too old', () => {
  const table = createRelayTable(0);
  const rng = seededRng(2);
  const a = { walletKeyHex: 'a', address: '198.18.1.2:40000' as const };
  for (let index = 0; index < relaysPerWalletMax; index++) assert.ok(allocateRelay(table, new Uint8Array(16).fill(index), [a, { walletKeyHex: `b${index}`, address: '198.18.2.2:1' }], rng, 0).ok);
  assert.deepEqual(allocateRelay(table, new Uint8Array(16).fill(99), [a, { walletKeyHex: 'z', address: '198.18.2.2:1' }], rng, 0), { ok: false, code: 'RENDEZVOUS_RELAY_FULL' });
  const busy = table.bySession.values().next().value!;
  for (let atMs = 30_000; atMs < relayLifetimeMs; atMs += 30_000) assert.ok(forwardRelay(table, busy.sides[0].token, a.address, 100, atMs).ok);
  assert.equal(sweepRelays(table, relayIdleMs), relaysPerWalletMax - 1, 'the idle ones');
  assert.equal(sweepRelays(table, relayLifetimeMs), 1, 'the busy one at its lifetime');
  assert.equal(table.perWallet.size, 0);
});

test('relay-release by a side frees the relay', () => {
  const { agent, sessionId } = introduced();
  agent.message(alice, aliceAddress, { type: 'relay-allocate', sessionId });
  assert.equal(agent.state.relays.bySession.size, 1);
  agent.message(wallet('mallory', 66), '198.18.6.2:1', { type: 'relay-release', sessionId });
  assert.equal(agent.state.relays.bySession.size, 1, 'not by a stranger');
  agent.message(bob, bobAddress, { type: 'relay-release', sessionId });
  assert.equal(agent.state.relays.bySession.size, 0);
});

test('a wallet whose session with the agent closed loses its relays; the other side’s count is freed too', () => {
  const { agent, sessionId } = introduced();
  const forAlice = readyOf(sentTo(agent.message(alice, aliceAddress, { type: 'relay-allocate', sessionId }), alice));
  assert.equal(agent.state.relays.perWallet.get(bob.keyHex), 1, 'bob holds one relay');
  rendezvousAgentStep(agent.state, { kind: 'session-closed', walletKeyHex: alice.keyHex }, agent.nowMs);
  assert.equal(agent.state.relays.bySession.size, 0, 'the relay is gone');
  assert.equal(agent.state.relays.perWallet.get(bob.keyHex), undefined, 'bob’s relay count is back to zero');
  assert.deepEqual(logCodes(agent.datagram('primary', aliceAddress, encodeRelayPacket(forAlice.token, Uint8Array.of(1)))), ['RENDEZVOUS_RELAY_UNKNOWN_TOKEN'], 'its token no longer forwards');
});
