/**
 * The agent daemon in-process on loopback (agent/daemon/daemon.ts): garbage on every port and
 * undecodable or unexpected messages in a session are logged and dropped, and the daemon keeps
 * serving (STYLE 6); two wallets then log in, meet, and exchange a message.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MemoryAccountStore } from '../../agent/daemon/accounts.ts';
import { startAgent, type RunningAgent } from '../../agent/daemon/daemon.ts';
import { initAgent, loadAgent } from '../../agent/daemon/files.ts';
import { addAgent, checkAgentEntry } from '../../client/agents.ts';
import { initWallet, loadWallet } from '../../client/files.ts';
import { WalletNode } from '../../client/wallet.ts';
import { seededRng } from '../../names/index.ts';
import { encodeMessage, parseAddress } from '../../rendezvous/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'parley-daemon-'));
const logs: string[] = [];
let agent: RunningAgent;
const nodes: WalletNode[] = [];

before(async () => {
  for (let attempt = 0; ; attempt++) {
    const data = join(directory, `agent-${attempt}`);
    const port = 20_000 + 2 * Math.floor(Math.random() * 20_000);
    initAgent({ dataDir: data, name: 'agent1', port });
    try {
      agent = await startAgent(loadAgent(data), { log: (code, message) => logs.push(`${code} ${message}`), accounts: new MemoryAccountStore() });
      break;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
});

after(async () => {
  for (const node of nodes) await node.close();
  await agent?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function wallet(name: string): Promise<WalletNode> {
  const data = join(directory, name);
  initWallet(data, `${name}@agent1`);
  const { settings } = agent;
  addAgent(data, checkAgentEntry({ name: settings.name, address: agent.endpoints.primary, key: settings.identityKey, static: settings.staticKey }));
  const node = await WalletNode.open({ wallet: loadWallet(data), bindHost: '127.0.0.1' });
  nodes.push(node);
  await node.whenClassified();
  return node;
}

test('garbage on every agent port is logged and dropped', async () => {
  const rng = seededRng(4);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  for (const address of Object.values(agent.endpoints)) {
    const { host, port } = parseAddress(address!)!;
    for (let index = 0; index < 40; index++) {
      const bytes = rng.bytes(1 + rng.below(300));
      // Some with the first bytes of the real kinds: session packets, punch, relay, msgpack.
      if (index % 4 === 0) bytes[0] = [0x01, 0x07, 0x52, 0x83][index % 16 / 4]!;
      await new Promise<void>((resolve) => socket.send(bytes, port, host, () => resolve()));
    }
  }
  socket.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(logs.some((line) => /RENDEZVOUS_NAT_PROBE_BAD|RENDEZVOUS_RELAY_BAD_PACKET|SOCKET/.test(line)), `drops are logged: ${logs.slice(0, 5).join(' | ')}`);
});

test('a wallet logs in after the garbage; bad and unexpected messages in its session are dropped', async () => {
  const carol = await wallet('carol');
  const connection = carol.endpoint.connections()[0]!;
  await connection.send(Uint8Array.of(0xc1, 0x00));
  await connection.send(encodeMessage({ type: 'ping', nonce: 1n }));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(logs.some((line) => /^LOGIN carol@agent1 pw1\S+ from 127\.0\.0\.1:\d+ \(account created\)$/.test(line)), 'the login is logged');
  assert.ok(logs.some((line) => line.startsWith('RENDEZVOUS_UNEXPECTED_MESSAGE ping')), 'an unexpected type is logged');
  assert.ok(logs.some((line) => /MALFORMED|NOT_AN_ENVELOPE|TRUNCATED/.test(line)), 'an undecodable message is logged');
  assert.equal(agent.sessionCount(), 1, 'the session stays open');
});

test('two wallets meet through the in-process agent and a message arrives', async () => {
  const bob = await wallet('bob');
  const alice = await wallet('alice');
  const received = new Promise<string>((resolve) => bob.onPeer((link) => link.onChat(resolve)));
  const { link, path } = await alice.connect('bob@agent1', 10_000);
  assert.equal(path, 'direct', 'loopback is direct');
  await link.sendChat('hi bob');
  assert.equal(await received, 'hi bob', 'delivered');
  await link.confirmDelivery(5_000);
});
