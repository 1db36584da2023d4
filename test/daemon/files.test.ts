/** The agent's and the wallet's data directories: init, load, and the errors that name the problem. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { agentsAddCommand, initAgent, loadAgent } from '../../agent/daemon/files.ts';
import { AgentError } from '../../agent/errors.ts';
import { addAgent, checkAgentEntry, resolveAgent } from '../../client/agents.ts';
import { ClientError } from '../../client/errors.ts';
import { initWallet, loadWallet, resolveDataDir } from '../../client/files.ts';
import { bytesToHex } from '../../names/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'parley-files-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const agentCode = (code: string) => (error: unknown) => error instanceof AgentError && error.code === code;
const clientCode = (code: string) => (error: unknown) => error instanceof ClientError && error.code === code;

test('an agent directory loads back with the keys agent.json names', () => {
  const data = join(directory, 'agent');
  const settings = initAgent({ dataDir: data, name: 'agent1', address: '198.18.0.2', port: 3478, secondAddress: '198.18.0.3' });
  assert.equal(settings.probePort, 3479, 'the probe port defaults to port + 1');
  const loaded = loadAgent(data);
  assert.deepEqual(loaded.settings, settings, 'settings round-trip');
  assert.equal(bytesToHex(loaded.staticKeyPair.publicKey), settings.staticKey, 'the static key matches');
  assert.equal(agentsAddCommand(settings), `parley agents add agent1 --address 198.18.0.2:3478 --key ${settings.identityKey} --static ${settings.staticKey}`, 'the line to paste');
});

test('a key file others can read is refused, naming the file and the fix', () => {
  const data = join(directory, 'agent-open');
  initAgent({ dataDir: data, name: 'agent1' });
  chmodSync(join(data, 'identity.key'), 0o644);
  assert.throws(() => loadAgent(data), (error: unknown) => agentCode('DAEMON_BAD_KEY_FILE')(error) && /identity\.key has mode 644.*chmod 600/.test((error as Error).message), 'refused');
});

test('agent.json with a bad field names the field; a missing directory says to run init', () => {
  const data = join(directory, 'agent-bad');
  initAgent({ dataDir: data, name: 'agent1' });
  const path = join(data, 'agent.json');
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify({ ...json, port: 70_000 }));
  assert.throws(() => loadAgent(data), (error: unknown) => agentCode('DAEMON_BAD_CONFIG')(error) && /field port/.test((error as Error).message), 'the port is named');
  writeFileSync(path, JSON.stringify({ ...json, staticKey: 'ab'.repeat(32) }));
  assert.throws(() => loadAgent(data), (error: unknown) => agentCode('DAEMON_BAD_KEY_FILE')(error) && /static\.key does not hold/.test((error as Error).message), 'a static key that is not the file’s');
  assert.throws(() => loadAgent(join(directory, 'nowhere')), (error: unknown) => agentCode('DAEMON_NOT_INITIALIZED')(error) && /parley-agent init/.test((error as Error).message), 'run init first');
});

test('a wallet directory loads back; its key file must be private', () => {
  const data = join(directory, 'wallet');
  const settings = initWallet(data, 'alice@agent1');
  assert.deepEqual(loadWallet(data).settings, settings, 'settings round-trip');
  chmodSync(join(data, 'wallet.key'), 0o640);
  assert.throws(() => loadWallet(data), clientCode('CLIENT_BAD_FILE'), 'a group-readable key is refused');
  assert.throws(() => loadWallet(join(directory, 'none')), (error: unknown) => clientCode('CLIENT_NOT_INITIALIZED')(error) && /parley init/.test((error as Error).message), 'init first');
});

test('--data wins over $PARLEY_HOME, which wins over ~/.parley', () => {
  assert.equal(resolveDataDir('/a', { PARLEY_HOME: '/b' }), '/a', '--data');
  assert.equal(resolveDataDir(undefined, { PARLEY_HOME: '/b' }), '/b', '$PARLEY_HOME');
  assert.match(resolveDataDir(undefined, {}), /\.parley$/, '~/.parley');
});

test('the agents directory keeps what agents add checked, and resolves by name', () => {
  const data = join(directory, 'wallet');
  const agent = initAgent({ dataDir: join(directory, 'agent-for-wallet'), name: 'agent2', port: 7400 });
  const entry = checkAgentEntry({ name: 'agent2', address: '127.0.0.1:7400', key: agent.identityKey, static: agent.staticKey });
  assert.equal(addAgent(data, entry), false, 'new');
  assert.equal(addAgent(data, entry), true, 'replaced');
  assert.equal(bytesToHex(resolveAgent(data, 'agent2').staticKey), agent.staticKey, 'resolved');
  assert.throws(() => resolveAgent(data, 'agent3'), (error: unknown) => clientCode('CLIENT_UNKNOWN_AGENT')(error) && /parley agents add agent3/.test((error as Error).message), 'says how to add it');
  assert.throws(() => checkAgentEntry({ ...entry, address: '[::1]' }), clientCode('CLIENT_USAGE'), 'an address without a port');
});
