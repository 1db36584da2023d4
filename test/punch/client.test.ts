import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededRng } from '../../names/index.ts';
import {
  createRendezvousClient,
  encodeRelayPacket,
  presenceKeepaliveMs,
  rendezvousClientStep,
  type AgentRef,
  type RendezvousClientEffect,
  type RendezvousClientState,
  type RendezvousMessage,
} from '../../rendezvous/index.ts';

const home: AgentRef = { id: 'agent2', address: '198.18.0.2:3478' };
const profile = { mapping: 'endpoint-independent', filtering: 'address-port-dependent' } as const;

function client(): RendezvousClientState {
  return createRendezvousClient({ home, localAddresses: ['10.77.1.2:40000'], rng: seededRng(1) });
}

const messages = (effects: RendezvousClientEffect[]): RendezvousMessage[] => effects.flatMap((effect) => (effect.kind === 'agent-message' ? [effect.message] : []));
const codes = (effects: RendezvousClientEffect[]): string[] => effects.flatMap((effect) => (effect.kind === 'log' ? [effect.code] : []));

test('start: log in; the first answer measures the RTT, reports it at once, and starts NAT classification', () => {
  const state = client();
  const login = rendezvousClientStep(state, { kind: 'start' }, 0);
  assert.deepEqual(messages(login.effects).map((message) => message.type), ['presence-login']);
  const ok = rendezvousClientStep(state, { kind: 'agent-message', agent: home, message: { type: 'presence-ok', sequence: 0, observed: '198.18.1.2:40000', expiresInMs: 70_000, probeAddress: '198.18.0.3:3478' } }, 24);
  const keepalive = messages(ok.effects).find((message) => message.type === 'presence-keepalive');
  assert.deepEqual(keepalive, { type: 'presence-keepalive', sequence: 1, rttMs: 24 });
  const probes = ok.effects.filter((effect) => effect.kind === 'send');
  assert.equal(probes.length, 3);
  assert.ok(probes.every((effect) => effect.kind === 'send' && effect.socket === 'main' && effect.to === home.address));
  assert.equal(state.observed, '198.18.1.2:40000');
});

test('keepalives every presenceKeepaliveMs; "expiresInMs 0" makes it log in again', () => {
  const state = client();
  rendezvousClientStep(state, { kind: 'start', rttMs: 20 }, 0);
  rendezvousClientStep(state, { kind: 'agent-message', agent: home, message: { type: 'presence-ok', sequence: 0, observed: '198.18.1.2:40000', expiresInMs: 70_000 } }, 20);
  const keepaliveAt: number[] = [];
  for (let nowMs = 1_000; nowMs <= 61_000; nowMs += 1_000) {
    const { effects } = rendezvousClientStep(state, { kind: 'tick' }, nowMs);
    if (messages(effects).some((message) => message.type === 'presence-keepalive')) keepaliveAt.push(nowMs);
  }
  assert.deepEqual(keepaliveAt, [20 + presenceKeepaliveMs, 20 + 2 * presenceKeepaliveMs, 20 + 3 * presenceKeepaliveMs].map((atMs) => Math.ceil(atMs / 1_000) * 1_000));
  const again = rendezvousClientStep(state, { kind: 'agent-message', agent: home, message: { type: 'presence-ok', sequence: 3, observed: '198.18.1.2:40000', expiresInMs: 0 } }, 62_000);
  assert.deepEqual(messages(again.effects).map((message) => message.type), ['presence-login']);
});

test('offers that answer nothing we asked, or carry bad addresses, start no punch', () => {
  const state = client();
  const offer = {
    type: 'introduce-offer',
    requestId: 5,
    sessionId: new Uint8Array(16),
    secret: new Uint8Array(32),
    role: 'caller',
    profile,
    peerKey: new Uint8Array(32).fill(1),
    peerObserved: '198.18.2.2:40000',
    peerPrivateAddresses: [],
    peerProfile: profile,
    peerRttMs: 20,
    expiresInMs: 30_000,
  } as const;
  assert.deepEqual(codes(rendezvousClientStep(state, { kind: 'agent-message', agent: home, message: offer }, 0).effects), ['RENDEZVOUS_UNEXPECTED_MESSAGE']);
  const callee = { ...offer, requestId: 0, role: 'callee', peerObserved: 'not an address' } as const;
  assert.deepEqual(codes(rendezvousClientStep(state, { kind: 'agent-message', agent: home, message: callee }, 0).effects), ['PUNCH_BAD_ADDRESS']);
  assert.equal(state.peers.size, 0);
});

test('connect → offline / refused are reported for the target', () => {
  const state = client();
  const { effects } = rendezvousClientStep(state, { kind: 'connect', target: 'bob@agent2', agent: home }, 0);
  const request = messages(effects)[0];
  assert.ok(request?.type === 'introduce-request');
  const offline = rendezvousClientStep(state, { kind: 'agent-message', agent: home, message: { type: 'introduce-offline', requestId: request.requestId } }, 30);
  assert.deepEqual(offline.effects.filter((effect) => effect.kind === 'offline'), [{ kind: 'offline', target: 'bob@agent2' }]);
  const late = rendezvousClientStep(state, { kind: 'agent-message', agent: home, message: { type: 'introduce-offline', requestId: request.requestId } }, 31);
  assert.deepEqual(codes(late.effects), ['RENDEZVOUS_UNEXPECTED_MESSAGE'], 'answered once');
});

test('datagrams from the network never throw: anything that is not ours is a logged drop', () => {
  const state = client();
  rendezvousClientStep(state, { kind: 'start' }, 0);
  const firstBytes = fc.constantFrom(0x50, 0x51, 0x52, 0x80, 0x83, 0x8f, 0x00, 0xff);
  fc.assert(
    fc.property(firstBytes, fc.uint8Array({ maxLength: 90 }), (first, rest) => {
      const bytes = Uint8Array.of(first, ...rest);
      const { effects } = rendezvousClientStep(state, { kind: 'datagram', socket: 'main', from: '203.0.113.1:9', bytes }, 10);
      assert.ok(effects.every((effect) => effect.kind === 'log' || effect.kind === 'timer'), JSON.stringify(effects));
    }),
    { numRuns: 2_000 },
  );
  const relayed = rendezvousClientStep(state, { kind: 'datagram', socket: 'main', from: home.address, bytes: encodeRelayPacket(new Uint8Array(16), Uint8Array.of(1)) }, 11);
  assert.deepEqual(codes(relayed.effects), ['RELAY_UNKNOWN_TOKEN']);
});
