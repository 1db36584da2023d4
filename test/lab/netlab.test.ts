import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { createLab, labUnavailableReason, type Lab } from './netlab.ts';

const unavailable = labUnavailableReason();
if (unavailable !== undefined) console.error(`\n*** NAT LAB SKIPPED: ${unavailable} ***\n`);

const probeScript = new URL('./udp-probe.ts', import.meta.url).pathname;
const node = (...args: string[]): string[] => [process.execPath, '--import', 'tsx', probeScript, ...args];

describe('network-namespace NAT lab', { skip: unavailable }, () => {
  let lab: Lab;

  before(async () => {
    lab = createLab([
      { nat: 'port-restricted', firewall: false },
      { nat: 'symmetric', firewall: false },
      { nat: 'full-cone', firewall: true },
      { nat: 'open', firewall: false },
    ]);
    const echo = lab.spawn(lab.agentNamespace, node('echo', `${lab.agentAddress}:3478`, `${lab.agentAddress}:3479`, `${lab.agentSecondAddress}:3478`));
    const [chunk] = (await once(echo.stdout!, 'data')) as [Buffer];
    assert.match(chunk.toString(), /ready/);
  });
  after(() => lab?.destroy());

  const probe = (index: number): Record<string, string> => {
    const host = lab.hosts[index]!;
    const destinations = [`${lab.agentAddress}:3478`, `${lab.agentAddress}:3479`, `${lab.agentSecondAddress}:3478`];
    return JSON.parse(lab.exec(host.namespace, node('probe', ...destinations)));
  };

  test('port-restricted cone keeps one mapping for every destination', () => {
    const host = lab.hosts[0]!;
    const mappings = new Set(Object.values(probe(0)));
    assert.deepEqual([...mappings], [`${host.publicAddress}:40000`]);
  });

  test('symmetric NAT gives a new port per destination', () => {
    const host = lab.hosts[1]!;
    const mappings = Object.values(probe(1));
    assert.equal(new Set(mappings).size, 3, JSON.stringify(mappings));
    for (const mapping of mappings) assert.ok(mapping.startsWith(`${host.publicAddress}:`));
  });

  test('open host is seen at its own address', () => {
    const host = lab.hosts[3]!;
    assert.deepEqual(new Set(Object.values(probe(3))), new Set([`${host.address}:40000`]));
  });

  test('full cone forwards unsolicited packets to the host; firewall guards only the router', async () => {
    const host = lab.hosts[2]!;
    const listener = lab.spawn(host.namespace, node('listen', '40001', '1500'));
    let output = '';
    listener.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('ready')) await once(listener.stdout!, 'data');
    lab.exec(lab.agentNamespace, node('send', `${host.publicAddress}:40001`, 'unsolicited'));
    await once(listener, 'exit');
    assert.match(output, /"text":"unsolicited"/);
  });

  test('a TTL-2 packet from behind a NAT dies at the internet router; TTL 3 arrives', async () => {
    const host = lab.hosts[0]!;
    const listener = lab.spawn(lab.agentNamespace, node('listen', '40002', '1500'));
    let output = '';
    listener.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('ready')) await once(listener.stdout!, 'data');
    lab.exec(host.namespace, node('send', `${lab.agentAddress}:40002`, 'ttl2', '2'));
    lab.exec(host.namespace, node('send', `${lab.agentAddress}:40002`, 'ttl3', '3'));
    await once(listener, 'exit');
    assert.doesNotMatch(output, /"text":"ttl2"/);
    assert.match(output, /"text":"ttl3"/);
  });
});
