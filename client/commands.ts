import { createInterface } from 'node:readline';
import { NamesError, parseLoginName } from '../names/index.ts';
import { addAgent, checkAgentEntry, listAgents, resolveAgent } from './agents.ts';
import { milliseconds, required, type Values } from './args.ts';
import { ClientError } from './errors.ts';
import { initWallet, loadWallet, resolveDataDir } from './files.ts';
import type { PeerLink } from './peer-link.ts';
import { WalletNode } from './wallet.ts';

/**
 * The `parley` commands, on the wallet core (wallet.ts). Output: one JSON line per result with
 * `--json` on stdout, human text otherwise; status and logs on stderr. Every failure is a
 * ClientError (or another ParleyError) that cli.ts prints with its code.
 */
const connectTimeoutDefaultMs = 20_000;
const deliveryTimeoutMs = 30_000;

type Command = 'init' | 'whoami' | 'agents' | 'connect' | 'send' | 'listen';

export async function run(command: Command, values: Values, positionals: string[]): Promise<number> {
  const dataDir = resolveDataDir(typeof values['data'] === 'string' ? values['data'] : undefined);
  const json = values['json'] === true;
  switch (command) {
    case 'init': {
      noPositionals(positionals, 'init');
      const settings = initWallet(dataDir, required(values, 'login'));
      console.log(`wallet ${settings.login} created in ${dataDir}\n  key ${settings.key}\nnext: add its agent with the line \`parley-agent run\` prints (parley agents add …), then: parley listen --data ${dataDir}`);
      return 0;
    }
    case 'whoami': {
      noPositionals(positionals, 'whoami');
      const { settings } = loadWallet(dataDir);
      console.log(json ? JSON.stringify({ login: settings.login, key: settings.key }) : `${settings.login} ${settings.key}`);
      return 0;
    }
    case 'agents':
      return agents(dataDir, values, positionals, json);
    case 'connect':
      return connect(dataDir, values, positionals, json);
    case 'send':
      return send(dataDir, values, positionals, json);
    case 'listen':
      noPositionals(positionals, 'listen');
      return listen(dataDir, values, json);
  }
}

function agents(dataDir: string, values: Values, positionals: string[], json: boolean): number {
  const [sub, name, ...extra] = positionals;
  if (sub === 'add') {
    if (name === undefined || extra.length > 0) throw new ClientError('CLIENT_USAGE', 'agents add NAME --address IP:PORT --key pa1… --static HEX');
    const entry = checkAgentEntry({ name, address: required(values, 'address'), key: required(values, 'key'), static: required(values, 'static') });
    const replaced = addAgent(dataDir, entry);
    console.log(json ? JSON.stringify({ added: entry.name, replaced }) : `agent ${entry.name} at ${entry.address} ${replaced ? 'replaced' : 'added'}`);
    return 0;
  }
  if (sub === 'list' && name === undefined) {
    const entries = listAgents(dataDir);
    if (json) console.log(JSON.stringify({ agents: entries }));
    else for (const entry of entries) console.log(`${entry.name}  ${entry.address}  ${entry.key}  ${entry.static}`);
    return 0;
  }
  throw new ClientError('CLIENT_USAGE', `agents: expected \`agents add NAME …\` or \`agents list\`, got ${JSON.stringify(positionals.join(' '))}`);
}

async function connect(dataDir: string, values: Values, positionals: string[], json: boolean): Promise<number> {
  const [target, ...extra] = positionals;
  if (target === undefined || extra.length > 0) throw new ClientError('CLIENT_USAGE', 'connect WALLET@AGENT: exactly one target');
  checkTarget(dataDir, target);
  return withNode(dataDir, values, async (node) => {
    const result = await node.connect(target, milliseconds(values, 'timeout-ms', connectTimeoutDefaultMs));
    if (json) console.log(JSON.stringify({ path: result.path, connectMs: result.connectMs, peer: result.link.peerKey }));
    else console.log(`connected to ${target} (${result.link.peerKey}) over a ${result.path} path in ${result.connectMs} ms`);
    await result.link.close();
    return 0;
  });
}

async function send(dataDir: string, values: Values, positionals: string[], json: boolean): Promise<number> {
  const [target, ...words] = positionals;
  const fromStdin = values['stdin'] === true;
  if (target === undefined || (words.length === 0) === !fromStdin) throw new ClientError('CLIENT_USAGE', 'send WALLET@AGENT TEXT…, or send WALLET@AGENT --stdin');
  checkTarget(dataDir, target);
  return withNode(dataDir, values, async (node) => {
    const { link, path, connectMs } = await node.connect(target, milliseconds(values, 'timeout-ms', connectTimeoutDefaultMs));
    const deliver = async (text: string): Promise<void> => {
      const startMs = node.clock.nowMs();
      await link.sendChat(text);
      await link.confirmDelivery(deliveryTimeoutMs);
      // One round trip over the path: the chat and the ping leave together, the pong comes back.
      const deliveryMs = Math.round((node.clock.nowMs() - startMs) * 10) / 10;
      if (json) console.log(JSON.stringify({ sent: text, path: link.via(), connectMs, deliveryMs }));
      else console.log(`sent to ${target} over a ${link.via()} path (confirmed in ${deliveryMs} ms)`);
    };
    if (!fromStdin) await deliver(words.join(' '));
    else {
      console.error(`parley send: session with ${target} over a ${path} path in ${connectMs} ms; sending each line of standard input`);
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) await deliver(line);
    }
    await link.close();
    return 0;
  });
}

async function listen(dataDir: string, values: Values, json: boolean): Promise<number> {
  return withNode(dataDir, values, async (node) => {
    const result = await node.whenClassified();
    const profile = result === undefined ? 'not classified' : `${result.profile.mapping} mapping, ${result.profile.filtering} filtering`;
    console.error(`parley listen: online as ${node.login} (${node.wallet.settings.key}) at ${node.observed ?? 'an unknown address'}; NAT: ${profile}`);
    node.onPeer((link: PeerLink) => {
      console.error(`parley listen: session with ${link.peerKey} over a ${link.via()} path`);
      link.onChat((text) => {
        if (json) console.log(JSON.stringify({ from: link.peerKey, text, path: link.via() }));
        else console.log(`${link.peerKey} (${link.via()}): ${text}`);
      });
    });
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    console.error(`parley listen: ${signal}: going offline`);
    return 0;
  });
}

/** Opens the wallet online, runs `body`, and always closes it (sessions get their close packets). */
async function withNode(dataDir: string, values: Values, body: (node: WalletNode) => Promise<number>): Promise<number> {
  const verbose = values['verbose'] === true;
  const keepaliveMs = values['keepalive-ms'] === undefined ? undefined : milliseconds(values, 'keepalive-ms', 0);
  const node = await WalletNode.open({
    wallet: loadWallet(dataDir),
    ...(typeof values['bind'] === 'string' ? { bindHost: values['bind'] } : {}),
    ...(keepaliveMs === undefined ? {} : { keepaliveMs }),
    log: verbose ? (code, message) => console.error(`parley: ${code} ${message}`) : () => {},
  });
  try {
    // Introductions carry our NAT profile: classify first (≤ 3 s; ~0.6 s on a cone NAT).
    await node.whenClassified();
    return await body(node);
  } finally {
    await node.close();
  }
}

/** A bad target or an agent missing from the directory fails before any packet is sent. */
function checkTarget(dataDir: string, target: string): void {
  let agent: string;
  try {
    agent = parseLoginName(target).agent;
  } catch (error) {
    if (error instanceof NamesError) throw new ClientError('CLIENT_USAGE', `target: ${error.message}`);
    throw error;
  }
  resolveAgent(dataDir, agent);
}

function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) throw new ClientError('CLIENT_USAGE', `${command}: unexpected ${JSON.stringify(positionals.join(' '))}`);
}
