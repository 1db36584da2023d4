import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bytesToHex, generateSecretKey, hexToBytes } from '../../names/index.ts';
import { writeChainFiles, type ChainPeer } from '../chain/config.ts';
import { buildGenesis, devnetParameters, devnetStanding, devnetTiming } from '../chain/genesis.ts';
import { chainParametersHash } from '../ledger/block-params.ts';
import { AgentError } from '../errors.ts';
import { initAgent, loadAgent } from '../daemon/files.ts';

/**
 * `parley-agent devnet`: a chain of N agents on loopback, made in one directory: one agent data
 * directory per agent (the daemon's files plus chain.json and genesis.block, all agents holding
 * the same chain files) and `devnet.json` with what a load generator needs (the faucet keys,
 * secret: mode 0600, like the agents' keys).
 */

export const devnetFile = 'devnet.json';

export type DevnetOptions = {
  readonly dir: string;
  readonly agents: number;
  readonly basePort: number;
  readonly blockIntervalMs: number;
  /** Independent coins for load generators (rounded up to whole genesis transactions of 64). */
  readonly faucetOutputs: number;
};

export type DevnetAgent = { readonly name: string; readonly dataDir: string; readonly host: string; readonly port: number; readonly identityKey: string; readonly staticKey: string };

export type Devnet = {
  readonly dir: string;
  readonly chainId: string;
  readonly blockIntervalMs: number;
  readonly agents: readonly DevnetAgent[];
  readonly faucetSecretKeys: readonly Uint8Array[];
};

const faucetKeyCount = 16;

export function createDevnet(options: DevnetOptions): Devnet {
  const dir = resolve(options.dir);
  if (existsSync(join(dir, devnetFile))) throw new AgentError('DAEMON_ALREADY_INITIALIZED', `${join(dir, devnetFile)} exists: a devnet is already there (start it again with --dir ${dir}, or choose an empty directory)`);
  if (!Number.isInteger(options.agents) || options.agents < 1 || options.agents > 64) throw new AgentError('DAEMON_USAGE', `--agents ${options.agents}: expected 1–64`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const agents: DevnetAgent[] = [];
  const secrets: Uint8Array[] = [];
  for (let index = 0; index < options.agents; index++) {
    const dataDir = join(dir, `agent${index}`);
    const port = options.basePort + 2 * index;
    initAgent({ dataDir, name: `agent${index}`, address: '127.0.0.1', port, probePort: port + 1 });
    const loaded = loadAgent(dataDir);
    secrets.push(loaded.identity.secretKey);
    agents.push({ name: loaded.settings.name, dataDir, host: '127.0.0.1', port, identityKey: bytesToHex(loaded.identity.publicKey), staticKey: loaded.settings.staticKey });
  }
  const faucetSecretKeys = Array.from({ length: faucetKeyCount }, () => generateSecretKey());
  const parameters = devnetParameters();
  const outputsPerFaucetKey = Math.ceil(Math.max(1, options.faucetOutputs) / faucetKeyCount / 64) * 64;
  const genesis = buildGenesis({
    parameters,
    agents: agents.map((agent, index) => ({ name: agent.name, secretKey: secrets[index]!, host: Uint8Array.of(127, 0, 0, 1), port: agent.port })),
    faucetKeys: faucetSecretKeys,
    outputsPerFaucetKey,
    faucetAmount: 10_000_000n,
    stakePerAgent: 1_000_000_000n,
    timeMs: Date.now(),
  });
  for (const secret of secrets) secret.fill(0);
  const peers: ChainPeer[] = agents.map((agent) => ({ name: agent.name, identityKey: hexToBytes(agent.identityKey), staticKey: hexToBytes(agent.staticKey), host: agent.host, port: agent.port }));
  const config = { parameters, consensus: devnetTiming(options.blockIntervalMs), standing: devnetStanding(parameters), peers };
  for (const agent of agents) writeChainFiles(agent.dataDir, config, genesis.block);
  const devnet: Devnet = { dir, chainId: bytesToHex(chainParametersHash(parameters)), blockIntervalMs: options.blockIntervalMs, agents, faucetSecretKeys };
  const json = { version: 1, chainId: devnet.chainId, blockIntervalMs: devnet.blockIntervalMs, agents: agents.map((agent) => ({ ...agent, dataDir: agent.name })), faucetSecretKeys: faucetSecretKeys.map(bytesToHex) };
  writeFileSync(join(dir, devnetFile), `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  return devnet;
}

export function loadDevnet(dirArgument: string): Devnet {
  const dir = resolve(dirArgument);
  const path = join(dir, devnetFile);
  if (!existsSync(path)) throw new AgentError('CHAIN_BAD_CONFIG', `${path} not found: create a devnet with \`parley-agent devnet --dir ${dirArgument}\``);
  const json = JSON.parse(readFileSync(path, 'utf8')) as { chainId: string; blockIntervalMs: number; agents: DevnetAgent[]; faucetSecretKeys: string[] };
  return {
    dir,
    chainId: json.chainId,
    blockIntervalMs: json.blockIntervalMs,
    agents: json.agents.map((agent) => ({ ...agent, dataDir: join(dir, agent.dataDir) })),
    faucetSecretKeys: json.faucetSecretKeys.map(hexToBytes),
  };
}
