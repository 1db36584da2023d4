import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presenceEntriesMax, presenceExpiryMs } from '../../agent/index.ts';
import { createPresenceTable, presenceLogin, presenceLookup, presenceSeen, presenceSweep, rendezvousAgentStep } from '../../agent/rendezvous/index.ts';
import { AgentHarness, endpoints, logCodes, profile, sentTo, wallet } from './harness.ts';

const bob = wallet('bob', 2);

test('login answers with the observed address and where NAT probes are answered', () => {
  const agent = new AgentHarness();
  const effects = agent.login(bob, '198.18.2.2:40000');
  assert.deepEqual(sentTo(effects, bob), [{ type: 'presence-ok', sequence: 0, observed: '198.18.2.2:40000', expiresInMs: presenceExpiryMs, probeAddress: endpoints.otherAddress }]);
  const entry = presenceLookup(agent.state.presence, 'bob', 0);
  assert.equal(entry?.observed, '198.18.2.2:40000', 'the observed address, never a claimed one');
  assert.deepEqual(entry?.privateAddresses, ['10.0.0.2:40000']);
});

test('keepalives hold presence; silence expires it; a keepalive from a stranger asks it to log in again', () => {
  const agent = new AgentHarness();
  agent.login(bob, '198.18.2.2:40000');
  for (let atMs = 20_000; atMs <= 200_000; atMs += 20_000) {
    agent.nowMs = atMs;
    const [ok] = sentTo(agent.message(bob, '198.18.2.2:40000', { type: 'presence-keepalive', sequence: atMs / 20_000, rttMs: 25 }), bob);
    assert.ok(ok?.type === 'presence-ok' && ok.expiresInMs === presenceExpiryMs);
  }
  agent.tick(200_000 + presenceExpiryMs);
  assert.equal(presenceLookup(agent.state.presence, 'bob', agent.nowMs), undefined);
  assert.equal(agent.state.presence.byName.size, 0, 'swept');
  const [ok] = sentTo(agent.message(bob, '198.18.2.2:40000', { type: 'presence-keepalive', sequence: 99, rttMs: 25 }), bob);
  assert.ok(ok?.type === 'presence-ok' && ok.expiresInMs === 0);
});

test('only wallets hosted here may log in; logout and a closed session take presence away', () => {
  const agent = new AgentHarness();
  assert.deepEqual(logCodes(agent.login(wallet(undefined, 5), '198.18.5.2:40000')), ['RENDEZVOUS_NOT_HOSTED']);
  agent.login(bob, '198.18.2.2:40000');
  agent.message(bob, '198.18.2.2:40000', { type: 'presence-logout' });
  assert.equal(presenceLookup(agent.state.presence, 'bob', 0), undefined);
  agent.login(bob, '198.18.2.2:40000');
  assert.ok(presenceLookup(agent.state.presence, 'bob', 0));
  rendezvousAgentStep(agent.state, { kind: 'session-closed', walletKeyHex: bob.keyHex }, 1);
  assert.equal(presenceLookup(agent.state.presence, 'bob', 1), undefined);
});

test('the presence table is bounded: a login beyond it is refused, nobody is evicted', () => {
  const table = createPresenceTable();
  const entry = (index: number) => ({ walletName: `w${index}`, walletKeyHex: `k${index}`, walletKey: new Uint8Array(32), observed: '198.18.1.2:1' as const, privateAddresses: [], profile, rttMs: 1, lastSeenMs: 0 });
  for (let index = 0; index < presenceEntriesMax; index++) assert.ok(presenceLogin(table, entry(index)));
  assert.equal(presenceLogin(table, entry(presenceEntriesMax)), false);
  assert.ok(presenceLogin(table, { ...entry(7), observed: '198.18.1.2:2' }), 'a known wallet may log in again');
  assert.equal(presenceSeen(table, 'k7', '198.18.1.2:3', 10)?.observed, '198.18.1.2:3');
  assert.equal(presenceSweep(table, presenceExpiryMs), presenceEntriesMax - 1);
});
