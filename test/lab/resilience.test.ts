/**
 * Sessions on real NATs under stress (network-namespace lab, netlab.ts):
 *   - keepalives hold a direct session through routers whose UDP conntrack timeouts are 2 s;
 *   - `conntrack -F` in a NAT router mid-session (its mappings vanish: a rebinding) loses no
 *     message;
 *   - with UDP between the two hosts dropped by their routers (the agent still reachable), the
 *     session is relayed and messages flow.
 * The sender is `parley send --stdin` (one session, one message per line); the receiver is
 * `parley listen --json`. Each scenario has its own pair of hosts.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { labUnavailableReason } from './netlab.ts';
import { ParleyLab, stopChild, type Listener } from './parley-lab.ts';
import { relayBudgetMs } from './pairs.ts';

const unavailable = labUnavailableReason();
if (unavailable !== undefined) console.error(`\n*** NAT LAB SKIPPED (parley resilience): ${unavailable} ***\n`);

/** Session keepalive and path probes every 500 ms: under the 2 s NAT timeout of the first test. */
const fast = ['--keepalive-ms', '500'];

type Sent = { sent: string; path: string; connectMs: number };

/** `parley send --stdin --json`: write lines, read one confirmation per delivered line. */
class Sender {
  readonly child: ChildProcess;
  readonly confirmed: Sent[] = [];
  stderr = '';
  #buffered = '';

  constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => {
      this.#buffered += chunk.toString();
      const lines = this.#buffered.split('\n');
      this.#buffered = lines.pop() ?? '';
      for (const line of lines) if (line !== '') this.confirmed.push(JSON.parse(line) as Sent);
    });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  write(text: string): void {
    this.child.stdin!.write(`${text}\n`);
  }

  async finish(): Promise<number | null> {
    this.child.stdin!.end();
    const code = await new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) return resolve(this.child.exitCode);
      const timer = setTimeout(() => void stopChild(this.child), 40_000);
      this.child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    return code;
  }
}

function received(listener: Listener): { from: string; text: string; path: string }[] {
  return listener.lines.map((line) => JSON.parse(line) as { from: string; text: string; path: string });
}

function waitForText(listener: Listener, text: string, timeoutMs: number): Promise<string> {
  return listener.waitForLine((line) => (JSON.parse(line) as { text: string }).text === text, timeoutMs);
}

describe('parley sessions through NAT timeouts, rebindings and blocked UDP', { skip: unavailable, timeout: 300_000 }, () => {
  let lab: ParleyLab;

  before(async () => {
    lab = ParleyLab.namespaces([
      { nat: 'port-restricted', firewall: false }, // 0 → 1: keepalive under 2 s conntrack timeouts
      { nat: 'port-restricted', firewall: false },
      { nat: 'port-restricted', firewall: false }, // 2 → 3: conntrack -F mid-session
      { nat: 'port-restricted', firewall: false },
      { nat: 'port-restricted', firewall: true }, // 4 → 5: host-to-host UDP blocked
      { nat: 'full-cone', firewall: false },
    ]);
    await lab.startAgent();
  });
  after(async () => lab?.destroy());

  test('keepalives hold a direct session through 2 s UDP conntrack timeouts', async () => {
    for (const host of [0, 1]) {
      lab.lab.exec(lab.router(host), ['sysctl', '-qw', 'net.netfilter.nf_conntrack_udp_timeout=2', 'net.netfilter.nf_conntrack_udp_timeout_stream=2']);
      assert.equal(lab.lab.exec(lab.router(host), ['sysctl', '-n', 'net.netfilter.nf_conntrack_udp_timeout_stream']).trim(), '2', 'the router runs with 2 s UDP timeouts');
    }
    const listener = await lab.listen(1, 'k1', fast);
    const sender = new Sender(lab.spawnParley(0, 'k0', ['send', 'k1@agent1', '--stdin', '--json', ...fast]));
    sender.write('before the pause');
    await waitForText(listener, 'before the pause', 15_000);
    await sleep(8_000); // four NAT timeouts with nothing to say
    const resumedMs = performance.now();
    sender.write('after the pause');
    await waitForText(listener, 'after the pause', 10_000);
    const deliveryMs = Math.round(performance.now() - resumedMs);
    assert.equal(await sender.finish(), 0, `sender: ${sender.stderr}`);
    assert.deepEqual(received(listener).map((message) => [message.text, message.path]), [['before the pause', 'direct'], ['after the pause', 'direct']], 'both messages, on the direct path');
    // Had the mappings expired, the message would wait for a retransmission and a new punch.
    assert.ok(deliveryMs < 1_500, `the message after the pause arrived ${deliveryMs} ms after it was written`);
    assert.equal(lab.agentLog().match(/INTRODUCE k0 \(caller\)/g)?.length, 1, 'one introduction: the session never needed a new punch');
    await listener.stop();
  });

  test('conntrack -F in a NAT router mid-session loses no message', async () => {
    const listener = await lab.listen(3, 'f3', fast);
    const sender = new Sender(lab.spawnParley(2, 'f2', ['send', 'f3@agent1', '--stdin', '--json', ...fast]));
    sender.write('m0');
    await waitForText(listener, 'm0', 15_000);
    for (const host of [2, 3]) lab.lab.exec(lab.router(host), ['conntrack', '-F']);
    for (let index = 1; index <= 5; index++) {
      sender.write(`m${index}`);
      await sleep(200);
    }
    await waitForText(listener, 'm5', 30_000);
    assert.equal(await sender.finish(), 0, `sender: ${sender.stderr}`);
    assert.deepEqual(received(listener).map((message) => message.text), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'], 'every message once, in order');
    console.log(`after conntrack -F: paths ${received(listener).map((message) => message.path).join(' ')}`);
    await listener.stop();
  });

  test('with UDP between the hosts dropped, the session is relayed and messages flow', async () => {
    for (const host of [4, 5]) {
      const router = lab.router(host);
      // Inserted in reverse: UDP to and from the agent's network passes, any other UDP is dropped.
      lab.lab.exec(router, ['iptables', '-I', 'FORWARD', '1', '-p', 'udp', '-j', 'DROP']);
      lab.lab.exec(router, ['iptables', '-I', 'FORWARD', '1', '-p', 'udp', '-s', '198.18.0.0/24', '-j', 'ACCEPT']);
      lab.lab.exec(router, ['iptables', '-I', 'FORWARD', '1', '-p', 'udp', '-d', '198.18.0.0/24', '-j', 'ACCEPT']);
    }
    const listener = await lab.listen(5, 'b5');
    const sender = new Sender(lab.spawnParley(4, 'b4', ['send', 'b5@agent1', '--stdin', '--json']));
    sender.write('first through the relay');
    sender.write('second through the relay');
    await waitForText(listener, 'second through the relay', 30_000);
    assert.equal(await sender.finish(), 0, `sender: ${sender.stderr}`);
    assert.deepEqual(received(listener).map((message) => [message.text, message.path]), [['first through the relay', 'relayed'], ['second through the relay', 'relayed']], 'both messages, relayed');
    const first = sender.confirmed[0];
    assert.ok(first !== undefined && first.path === 'relayed', `the sender reports the relayed path: ${JSON.stringify(first)}`);
    assert.ok(first.connectMs <= relayBudgetMs, `relayed after the punch gave up, in ${first.connectMs} ms`);
    console.log(`blocked UDP: relayed in ${first.connectMs} ms`);
    await listener.stop();
  });
});
