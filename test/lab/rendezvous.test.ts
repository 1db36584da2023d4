/**
 * The real binaries on real Linux NATs (netfilter, in network namespaces): `parley-agent run`
 * in the agent namespace, `parley listen` and `parley connect` on hosts behind every kind of
 * NAT, with and without a router firewall. All 36 unordered pairs of the 8 host types (the
 * first calls, the second listens), and the 12 with one symmetric side again with that side
 * calling (pairs.ts labPairs). Expected: `direct` for all but
 * symmetric↔symmetric (`relayed`), within the budgets of pairs.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { labUnavailableReason } from './netlab.ts';
import { ParleyLab, type Listener } from './parley-lab.ts';
import { expectationFor, hostTypes, labPairs, typeName } from './pairs.ts';

const unavailable = labUnavailableReason();
if (unavailable !== undefined) console.error(`\n*** NAT LAB SKIPPED (parley pairs): ${unavailable} ***\n`);

describe('parley connect across every pair of NAT types', { skip: unavailable, timeout: 600_000 }, () => {
  // Hosts 0–7 call, hosts 8–15 listen: one host of each type on each side.
  const callers = hostTypes.length;
  let lab: ParleyLab;
  const listeners: Listener[] = [];
  const measured: string[] = [];

  before(async () => {
    lab = ParleyLab.namespaces([...hostTypes, ...hostTypes]);
    await lab.startAgent();
    for (let index = 0; index < hostTypes.length; index++) listeners.push(await lab.listen(callers + index, `l${index}`));
  });

  after(async () => {
    if (measured.length > 0) console.log(`connect times (caller → listener: path connectMs / process wall ms)\n${measured.map((line) => `  ${line}`).join("\n")}`);
    await lab?.destroy();
  });

  for (const [a, b] of labPairs(hostTypes)) {
    const expected = expectationFor(hostTypes[a]!, hostTypes[b]!);
    const title = `${typeName(hostTypes[a]!)} → ${typeName(hostTypes[b]!)}: ${expected.path} within ${expected.budgetMs} ms`;
    test(title, async () => {
      // The reversed (symmetric-calling) pairs use wallets of their own: the agent allows a caller
      // 8 live introductions (30 s each) and 1/s with a burst of 5.
      const caller = a > b ? `r${a}` : `c${a}`;
      const result = await lab.parley(a, caller, ['connect', `l${b}@agent1`, '--json']);
      assert.equal(result.code, 0, `connect exited ${result.code}: ${result.stderr}`);
      const outcome = JSON.parse(result.stdout.trim()) as { path: string; connectMs: number; peer: string };
      measured.push(`${typeName(hostTypes[a]!)} → ${typeName(hostTypes[b]!)}: ${outcome.path} ${outcome.connectMs} ms / ${result.wallMs} ms`);
      assert.equal(outcome.path, expected.path, `path of ${title}`);
      assert.ok(outcome.connectMs <= expected.budgetMs, `${title}: connected in ${outcome.connectMs} ms`);
      assert.match(outcome.peer, /^pw1/, 'the peer is printed as a wallet key');
    });
  }

  test('a message flows over a punched path and over a relayed one', async () => {
    const direct = await lab.parley(4, 'm4', ['send', 'l5@agent1', 'over the punched path', '--json']);
    assert.equal(direct.code, 0, `send exited ${direct.code}: ${direct.stderr}`);
    const relayed = await lab.parley(6, 'm6', ['send', 'l7@agent1', 'over the relay', '--json']);
    assert.equal(relayed.code, 0, `send exited ${relayed.code}: ${relayed.stderr}`);
    const got = (listener: Listener, text: string) => listener.waitForLine((line) => (JSON.parse(line) as { text: string }).text === text, 5_000);
    assert.deepEqual(JSON.parse(await got(listeners[5]!, 'over the punched path')), { from: lab.walletKey('m4'), text: 'over the punched path', path: 'direct' }, 'direct message');
    assert.deepEqual(JSON.parse(await got(listeners[7]!, 'over the relay')), { from: lab.walletKey('m6'), text: 'over the relay', path: 'relayed' }, 'relayed message');
  });

  test('a wallet that is not online is reported offline at once', async () => {
    const result = await lab.parley(0, 'm0', ['connect', 'nobody@agent1', '--json']);
    assert.equal(result.code, 1, `connect exited ${result.code}`);
    assert.match(result.stderr, /nobody@agent1 is offline/, 'the error names the offline wallet');
    assert.equal((JSON.parse(result.stdout.trim()) as { error: string }).error, 'CLIENT_PEER_OFFLINE', 'the --json error code');
  });
});
