import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import {
  bytesToHex,
  decodeKey,
  encodeKey,
  generateIdentityKeyPair,
  hexToBytes,
  identityKeyPairFromSecretKey,
  validateAgentName,
  x25519GenerateKeyPair,
  x25519PublicKey,
  NamesError,
  type AgentKeyText,
  type IdentityKeyPair,
  type X25519KeyPair,
} from '../../names/index.ts';
import { formatAddress } from '../../rendezvous/net/index.ts';
import { daemonPortDefault } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { writeNewFile } from '../../names/files.ts';

/**
 * An agent's data directory: `agent.json` (public settings and keys), `identity.key` and
 * `static.key` (secrets, mode 0600, refused when group or others can read them, as ssh does),
 * and `agent.sqlite` (accounts; later the ledger). `init` refuses to overwrite any of them.
 */
export const agentFiles = { config: 'agent.json', identity: 'identity.key', static: 'static.key', database: 'agent.sqlite' } as const;

export interface AgentSettings {
  readonly version: 1;
  /** The agent's peer name: wallets log in as `wallet@<name>`. */
  readonly name: string;
  /** The address wallets reach (and the main socket binds): IPv4 or IPv6, no port. */
  readonly address: string;
  readonly port: number;
  /** The NAT-classification port on the same address(es). */
  readonly probePort: number;
  /** A second address of this host for NAT classification (RFC 5780's "alternate address"), if any. */
  readonly secondAddress?: string;
  readonly identityKey: AgentKeyText;
  /** The Noise static public key (X25519), hex: wallets need it for the IK handshake. */
  readonly staticKey: string;
}

export interface LoadedAgent {
  readonly settings: AgentSettings;
  readonly identity: IdentityKeyPair;
  readonly staticKeyPair: X25519KeyPair;
  readonly databasePath: string;
}

export interface InitOptions {
  readonly dataDir: string;
  readonly name: string;
  readonly address?: string;
  readonly port?: number;
  readonly probePort?: number;
  readonly secondAddress?: string;
}

export function initAgent(options: InitOptions): AgentSettings {
  const { dataDir } = options;
  const name = checkName(options.name);
  const address = checkHost(options.address ?? '127.0.0.1', '--address');
  const port = checkPort(options.port ?? daemonPortDefault, '--port');
  const probePort = checkPort(options.probePort ?? port + 1, '--probe-port');
  if (probePort === port) throw new AgentError('DAEMON_USAGE', `--probe-port ${probePort}: must differ from --port`);
  const secondAddress = options.secondAddress === undefined ? undefined : checkHost(options.secondAddress, '--second-address');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const file of Object.values(agentFiles)) {
    if (existsSync(join(dataDir, file))) throw new AgentError('DAEMON_ALREADY_INITIALIZED', `${join(dataDir, file)} exists: ${dataDir} holds an agent already (init never overwrites)`);
  }
  const identity = generateIdentityKeyPair();
  const staticKeyPair = x25519GenerateKeyPair();
  const settings: AgentSettings = {
    version: 1,
    name,
    address,
    port,
    probePort,
    ...(secondAddress === undefined ? {} : { secondAddress }),
    identityKey: encodeKey('agent', identity.publicKey),
    staticKey: bytesToHex(staticKeyPair.publicKey),
  };
  writeNewFile(join(dataDir, agentFiles.identity), secretFileText('parley agent identity key', identity.secretKey), 0o600);
  writeNewFile(join(dataDir, agentFiles.static), secretFileText('parley agent static key', staticKeyPair.secretKey), 0o600);
  writeNewFile(join(dataDir, agentFiles.config), `${JSON.stringify(settings, null, 2)}\n`, 0o644);
  identity.secretKey.fill(0);
  return settings;
}

export function loadAgent(dataDir: string): LoadedAgent {
  const configPath = join(dataDir, agentFiles.config);
  if (!existsSync(configPath)) throw new AgentError('DAEMON_NOT_INITIALIZED', `${configPath} not found: run \`parley-agent init --data ${dataDir} --name NAME\` first`);
  const settings = parseSettings(configPath);
  const identity = identityKeyPairFromSecretKey(readSecretFile(join(dataDir, agentFiles.identity), 'parley agent identity key'));
  const staticSecret = readSecretFile(join(dataDir, agentFiles.static), 'parley agent static key');
  const staticKeyPair = { secretKey: staticSecret, publicKey: x25519PublicKey(staticSecret) };
  if (encodeKey('agent', identity.publicKey) !== settings.identityKey) throw new AgentError('DAEMON_BAD_KEY_FILE', `${agentFiles.identity} does not hold the key ${configPath} names (identityKey)`);
  if (bytesToHex(staticKeyPair.publicKey) !== settings.staticKey) throw new AgentError('DAEMON_BAD_KEY_FILE', `${agentFiles.static} does not hold the key ${configPath} names (staticKey)`);
  return { settings, identity, staticKeyPair, databasePath: join(dataDir, agentFiles.database) };
}

/** What a wallet owner pastes to reach this agent (client/agents.ts reads these flags). */
export function agentsAddCommand(settings: AgentSettings): string {
  return `parley agents add ${settings.name} --address ${formatAddress(settings.address, settings.port)} --key ${settings.identityKey} --static ${settings.staticKey}`;
}

function parseSettings(path: string): AgentSettings {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new AgentError('DAEMON_BAD_CONFIG', `${path}: not JSON (${(error as Error).message})`);
  }
  const bad = (field: string, why: string): AgentError => new AgentError('DAEMON_BAD_CONFIG', `${path}: field ${field}: ${why}`);
  if (json['version'] !== 1) throw bad('version', `expected 1, got ${JSON.stringify(json['version'])}`);
  const text = (field: string): string => {
    const value = json[field];
    if (typeof value !== 'string') throw bad(field, 'expected a string');
    return value;
  };
  const number = (field: string): number => {
    const value = json[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65_535) throw bad(field, 'expected a port 1–65535');
    return value;
  };
  try {
    const secondAddress = json['secondAddress'] === undefined ? undefined : checkHost(text('secondAddress'), 'secondAddress');
    const identityKey = text('identityKey');
    decodeKey('agent', identityKey);
    const staticKey = text('staticKey');
    if (!/^[0-9a-f]{64}$/.test(staticKey)) throw bad('staticKey', 'expected 64 lower-case hex digits');
    return {
      version: 1,
      name: checkName(text('name')),
      address: checkHost(text('address'), 'address'),
      port: number('port'),
      probePort: number('probePort'),
      ...(secondAddress === undefined ? {} : { secondAddress }),
      identityKey: identityKey as AgentKeyText,
      staticKey,
    };
  } catch (error) {
    if (error instanceof NamesError || (error instanceof AgentError && error.code === 'DAEMON_USAGE')) throw new AgentError('DAEMON_BAD_CONFIG', `${path}: ${error.message}`);
    throw error;
  }
}

function checkName(name: string): string {
  try {
    return validateAgentName(name);
  } catch (error) {
    if (error instanceof NamesError) throw new AgentError('DAEMON_USAGE', `--name: ${error.message}`);
    throw error;
  }
}

function checkHost(host: string, field: string): string {
  if (isIP(host) === 0) throw new AgentError('DAEMON_USAGE', `${field} ${JSON.stringify(host)}: expected an IPv4 or IPv6 address (no port, no host name)`);
  return host;
}

function checkPort(port: number, field: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new AgentError('DAEMON_USAGE', `${field} ${port}: expected a port 1–65535`);
  return port;
}

function secretFileText(kind: string, secret: Uint8Array): string {
  return `${JSON.stringify({ kind, secretKey: bytesToHex(secret) })}\n`;
}

function readSecretFile(path: string, kind: string): Uint8Array {
  if (!existsSync(path)) throw new AgentError('DAEMON_BAD_KEY_FILE', `${path} not found`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new AgentError('DAEMON_BAD_KEY_FILE', `${path} has mode ${mode.toString(8)}: group or others can read it (chmod 600 ${path})`);
  let json: { kind?: unknown; secretKey?: unknown };
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as typeof json;
  } catch (error) {
    throw new AgentError('DAEMON_BAD_KEY_FILE', `${path}: not JSON (${(error as Error).message})`);
  }
  if (json.kind !== kind) throw new AgentError('DAEMON_BAD_KEY_FILE', `${path}: kind ${JSON.stringify(json.kind)}, expected ${JSON.stringify(kind)}`);
  if (typeof json.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(json.secretKey)) throw new AgentError('DAEMON_BAD_KEY_FILE', `${path}: secretKey: expected 64 lower-case hex digits`);
  return hexToBytes(json.secretKey);
}
