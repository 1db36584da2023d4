/**
 * The `parley` and `parley-agent` binaries end to end on loopback (no namespaces, no root):
 * init and its refusals, the agents directory, listen / connect / send, an offline target, a
 * login name taken by another key (also after an agent restart: accounts are in SQLite), and a
 * clean exit on SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ParleyLab, type Listener } from '../lab/parley-lab.ts';

const root = new URL('../../', import.meta.url).pathname;
const parley = (...args: string[]) => spawnSync(process.execPath, [join(root, 'client/bin.js'), ...args], { encoding: 'utf8' });
const parleyAgent = (...args: string[]) => spawnSync(process.execPath, [join(root, 'agent/bin.js'), ...args], { encoding: 'utf8' });

describe('parley and parley-agent init', () => {
  let directory: string;
  before(() => (directory = mkdtempSync(join(tmpdir(), 'parley-cli-'))));
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('agent init writes 0600 key files, prints the agents-add line, and never overwrites', () => {
    const data = join(directory, 'agent');
    const first = parleyAgent('init', '--data', data, '--name', 'agent7', '--port', '47100');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /parley agents add agent7 --address 127\.0\.0\.1:47100 --key pa1[0-9a-z]+ --static [0-9a-f]{64}/, 'the line to paste');
    for (const file of ['identity.key', 'static.key']) assert.equal(statSync(join(data, file)).mode & 0o777, 0o600, `${file} is private`);
    const again = parleyAgent('init', '--data', data, '--name', 'agent7');
    assert.equal(again.status, 1, 'a second init fails');
    assert.match(again.stderr, /holds an agent already.*DAEMON_ALREADY_INITIALIZED/, again.stderr);
  });

  test('agent init names a bad flag', () => {
    const result = parleyAgent('init', '--data', join(directory, 'bad'), '--name', 'Agent7');
    assert.equal(result.status, 2, 'usage errors exit 2');
    assert.match(result.stderr, /--name: .*upper-case/, result.stderr);
    const address = parleyAgent('init', '--data', join(directory, 'bad'), '--name', 'agent7', '--address', 'localhost');
    assert.match(address.stderr, /--address "localhost": expected an IPv4 or IPv6 address/, address.stderr);
  });

  test('wallet init writes a 0600 key and refuses a second init', () => {
    const data = join(directory, 'wallet');
    const first = parley('init', '--data', data, '--login', 'alice@agent7');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /key pw1/, 'prints the wallet key');
    assert.equal(statSync(join(data, 'wallet.key')).mode & 0o777, 0o600, 'wallet.key is private');
    const again = parley('init', '--data', data, '--login', 'alice@agent7');
    assert.match(again.stderr, /CLIENT_ALREADY_INITIALIZED/, again.stderr);
    const whoami = JSON.parse(parley('whoami', '--json', '--data', data).stdout) as { login: string; key: string };
    assert.equal(whoami.login, 'alice@agent7', 'whoami prints the login');
  });

  test('PARLEY_HOME is the default data directory', () => {
    const home = join(directory, 'home');
    const result = spawnSync(process.execPath, [join(root, 'client/bin.js'), 'init', '--login', 'carol@agent7'], { encoding: 'utf8', env: { ...process.env, PARLEY_HOME: home } });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(statSync(join(home, 'wallet.json')).isFile(), 'the wallet went to $PARLEY_HOME');
  });

  test('agents add checks every field and names the wrong one', () => {
    const data = join(directory, 'wallet');
    const agentKey = (JSON.parse(execFileSync('cat', [join(directory, 'agent', 'agent.json')], { encoding: 'utf8' })) as { identityKey: string }).identityKey;
    const walletKey = (JSON.parse(parley('whoami', '--json', '--data', data).stdout) as { key: string }).key;
    const add = (...args: string[]) => parley('agents', 'add', 'agent7', '--data', data, ...args);
    assert.match(add('--address', '127.0.0.1', '--key', agentKey, '--static', 'ab'.repeat(32)).stderr, /--address "127\.0\.0\.1": expected IP:PORT/, 'no port');
    assert.match(add('--address', '127.0.0.1:47100', '--key', walletKey, '--static', 'ab'.repeat(32)).stderr, /--key: .*pa1/, 'a wallet key where an agent key belongs');
    assert.match(add('--address', '127.0.0.1:47100', '--key', agentKey, '--static', 'xyz').stderr, /--static: expected/, 'a bad static key');
    const ok = add('--address', '127.0.0.1:47100', '--key', agentKey, '--static', 'ab'.repeat(32));
    assert.equal(ok.status, 0, ok.stderr);
    const listed = JSON.parse(parley('agents', 'list', '--json', '--data', data).stdout) as { agents: { name: string }[] };
    assert.deepEqual(listed.agents.map((agent) => agent.name), ['agent7'], 'the directory holds the agent');
  });

  test('connect to a wallet at an agent not in the directory says which agent is missing', () => {
    const result = parley('connect', 'bob@agent9', '--data', join(directory, 'wallet'));
    assert.equal(result.status, 1, 'exit 1');
    assert.match(result.stderr, /agent "agent9" is not in .*agents\.json.*CLIENT_UNKNOWN_AGENT/, result.stderr);
  });
});

describe('parley on loopback: listen, connect, send', { timeout: 120_000 }, () => {
  let lab: ParleyLab;
  let bob: Listener;

  before(async () => {
    lab = ParleyLab.loopback(2);
    await lab.startAgent();
    bob = await lab.listen(1, 'bob');
  });
  after(async () => lab?.destroy());

  test('connect prints one JSON line with a direct path', async () => {
    const result = await lab.parley(0, 'alice', ['connect', 'bob@agent1', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const outcome = JSON.parse(result.stdout.trim()) as { path: string; connectMs: number; peer: string };
    assert.equal(outcome.path, 'direct', 'loopback needs no relay');
    assert.equal(outcome.peer, lab.walletKey('bob'), 'the peer is bob');
    assert.ok(outcome.connectMs < 5_000, `connected in ${outcome.connectMs} ms`);
  });

  test('send delivers the text; listen prints it with the sender and the path', async () => {
    const result = await lab.parley(0, 'alice', ['send', 'bob@agent1', 'hello', 'bob', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const line = await bob.waitForLine((candidate) => candidate.includes('hello bob'), 5_000);
    assert.deepEqual(JSON.parse(line), { from: lab.walletKey('alice'), text: 'hello bob', path: 'direct' }, 'the message as listen prints it');
  });

  test('send --stdin sends every line over one session, in order', async () => {
    const result = await lab.parley(0, 'alice', ['send', 'bob@agent1', '--stdin', '--json'], 'one\ntwo\nthree\n');
    assert.equal(result.code, 0, result.stderr);
    const sent = result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { sent: string }).sent);
    assert.deepEqual(sent, ['one', 'two', 'three'], 'each line confirmed');
    await bob.waitForLine((line) => line.includes('"three"'), 5_000);
    const texts = bob.lines.map((line) => (JSON.parse(line) as { text: string }).text);
    assert.deepEqual(texts.slice(-3), ['one', 'two', 'three'], 'received in order');
  });

  test('a target that is not online is reported at once', async () => {
    const result = await lab.parley(0, 'alice', ['connect', 'nobody@agent1', '--json']);
    assert.equal(result.code, 1, 'exit 1');
    assert.match(result.stderr, /nobody@agent1 is offline: not logged in at agent1 \[CLIENT_PEER_OFFLINE\]/, result.stderr);
    assert.deepEqual(Object.keys(JSON.parse(result.stdout.trim()) as object), ['error', 'message'], 'a JSON error line with --json');
  });

  test('a login name bound to another key is refused, also after an agent restart', async () => {
    // A second wallet directory with its own key but bob's login name.
    const impostor = lab.wallet('bob-impostor');
    execFileSync('sh', ['-c', `sed -i 's/bob-impostor@agent1/bob@agent1/' ${join(impostor, 'wallet.json')}`]);
    const refused = await lab.parley(0, 'bob-impostor', ['connect', 'alice@agent1']);
    assert.equal(refused.code, 1, 'exit 1');
    assert.match(refused.stderr, /agent1 refused the login bob@agent1: the name belongs to another wallet key \[CLIENT_LOGIN_REFUSED\]/, refused.stderr);
    assert.match(lab.agentLog(), /ACCOUNT_TAKEN login refused \(taken\)/, 'the agent logs the refusal');
    await lab.restartAgent();
    const again = await lab.parley(0, 'bob-impostor', ['connect', 'alice@agent1']);
    assert.match(again.stderr, /CLIENT_LOGIN_REFUSED/, `the binding survived the restart: ${again.stderr}`);
  });

  test('a listener comes back online after its agent restarted', async () => {
    // The restart above closed bob's session; bob opens it again, logs in, and is present.
    const deadline = Date.now() + 15_000;
    while (!/LOGIN bob@agent1[^\n]*\n[\s\S]*READY[\s\S]*LOGIN bob@agent1/.test(lab.agentLog()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    let result = await lab.parley(0, 'alice', ['connect', 'bob@agent1', '--json']);
    // Its presence-login may still be on the way right after the login.
    for (let attempt = 0; attempt < 5 && result.code !== 0 && /offline/.test(result.stderr); attempt++) result = await lab.parley(0, 'alice', ['connect', 'bob@agent1', '--json']);
    assert.equal(result.code, 0, `connect after the restart: ${result.stderr}`);
    assert.equal((JSON.parse(result.stdout.trim()) as { path: string }).path, 'direct', 'direct again');
  });

  test('parley-agent run exits 0 on SIGTERM and logs the stop', async () => {
    const code = await lab.stopAgent();
    assert.equal(code, 0, 'clean exit');
    assert.match(lab.agentLog(), /STOP SIGTERM/, 'the stop is logged');
  });
});
