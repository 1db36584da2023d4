import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NamesError, decodeKey, hexToBytes, validateAgentName, type AgentKeyText } from '../names/index.ts';
import { parseAddress, type Address } from '../rendezvous/net/index.ts';
import { ClientError } from './errors.ts';
import { readJson, walletFiles, writeJsonAtomically } from './files.ts';

/**
 * The wallet's local directory of agents (`agents.json`): name → where it listens, its identity
 * key and its Noise static key. It stands in for the chain's agent registry until the client
 * reads that; `parley-agent init` / `run` print the exact `parley agents add` line to paste.
 */
export interface AgentEntry {
  readonly name: string;
  readonly address: Address;
  readonly key: AgentKeyText;
  /** X25519, hex. */
  readonly static: string;
}

export interface ResolvedAgent extends AgentEntry {
  readonly identityKey: Uint8Array;
  readonly staticKey: Uint8Array;
}

interface AgentsFile {
  readonly version: 1;
  readonly agents: Record<string, Omit<AgentEntry, 'name'>>;
}

export function checkAgentEntry(input: { name: string; address: string; key: string; static: string }): AgentEntry {
  let name: string;
  try {
    name = validateAgentName(input.name);
  } catch (error) {
    if (error instanceof NamesError) throw new ClientError('CLIENT_USAGE', `agent name: ${error.message}`);
    throw error;
  }
  const parsed = parseAddress(input.address);
  if (parsed === undefined || parsed.port === 0) throw new ClientError('CLIENT_USAGE', `--address ${JSON.stringify(input.address)}: expected IP:PORT (IPv6 as [addr]:port)`);
  try {
    decodeKey('agent', input.key);
  } catch (error) {
    if (error instanceof NamesError) throw new ClientError('CLIENT_USAGE', `--key: ${error.message} (an agent key starts with pa1)`);
    throw error;
  }
  if (!/^[0-9a-f]{64}$/.test(input.static)) throw new ClientError('CLIENT_USAGE', `--static: expected the agent's X25519 static key as 64 lower-case hex digits`);
  return { name, address: input.address as Address, key: input.key.toLowerCase() as AgentKeyText, static: input.static };
}

export function listAgents(dataDir: string): AgentEntry[] {
  const file = readAgentsFile(dataDir);
  return Object.entries(file.agents).map(([name, entry]) => ({ name, ...entry }));
}

/** Adds or replaces an agent; returns whether an entry of that name was replaced. */
export function addAgent(dataDir: string, entry: AgentEntry): boolean {
  const file = readAgentsFile(dataDir);
  const replaced = file.agents[entry.name] !== undefined;
  const { name, ...rest } = entry;
  writeJsonAtomically(agentsPath(dataDir), { version: 1, agents: { ...file.agents, [name]: rest } });
  return replaced;
}

export function resolveAgent(dataDir: string, name: string): ResolvedAgent {
  const file = readAgentsFile(dataDir);
  const stored = Object.hasOwn(file.agents, name) ? file.agents[name] : undefined;
  if (stored === undefined) {
    throw new ClientError('CLIENT_UNKNOWN_AGENT', `agent ${JSON.stringify(name)} is not in ${agentsPath(dataDir)}: add it with \`parley agents add ${name} --address IP:PORT --key pa1… --static HEX\` (parley-agent run prints the line)`);
  }
  let entry: AgentEntry;
  try {
    entry = checkAgentEntry({ name, ...stored });
  } catch (error) {
    if (error instanceof ClientError) throw new ClientError('CLIENT_BAD_FILE', `${agentsPath(dataDir)}: agent ${name}: ${error.message}`);
    throw error;
  }
  return { ...entry, identityKey: decodeKey('agent', entry.key), staticKey: hexToBytes(entry.static) };
}

function agentsPath(dataDir: string): string {
  return join(dataDir, walletFiles.agents);
}

function readAgentsFile(dataDir: string): AgentsFile {
  const path = agentsPath(dataDir);
  if (!existsSync(path)) return { version: 1, agents: {} };
  const json = readJson(path) as { version?: unknown; agents?: unknown };
  if (json.version !== 1 || typeof json.agents !== 'object' || json.agents === null || Array.isArray(json.agents)) {
    throw new ClientError('CLIENT_BAD_FILE', `${path}: expected {"version": 1, "agents": {…}}`);
  }
  return json as AgentsFile;
}
