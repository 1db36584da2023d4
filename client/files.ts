import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  NamesError,
  bytesToHex,
  encodeKey,
  generateIdentityKeyPair,
  hexToBytes,
  identityKeyPairFromSecretKey,
  validateLoginName,
  type IdentityKeyPair,
  type LoginName,
  type WalletKeyText,
} from '../names/index.ts';
import { ClientError } from './errors.ts';
import { writeNewFile } from '../names/files.ts';

/**
 * A wallet's data directory (`--data`, else $PARLEY_HOME, else ~/.parley): `wallet.json`
 * (login name and public key), `wallet.key` (the identity secret, mode 0600, refused when
 * group or others can read it) and `agents.json` (agents.ts). The vault (scrypt +
 * XChaCha20-Poly1305) replaces the plain key file in the wallet issue.
 */
export const walletFiles = { config: 'wallet.json', key: 'wallet.key', agents: 'agents.json' } as const;

export interface WalletSettings {
  readonly version: 1;
  readonly login: LoginName;
  readonly key: WalletKeyText;
}

export interface LoadedWallet {
  readonly dataDir: string;
  readonly settings: WalletSettings;
  readonly identity: IdentityKeyPair;
}

const keyFileKind = 'parley wallet identity key';

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env['PARLEY_HOME'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return join(homedir(), '.parley');
}

export function initWallet(dataDir: string, loginText: string): WalletSettings {
  let login: LoginName;
  try {
    login = validateLoginName(loginText);
  } catch (error) {
    if (error instanceof NamesError) throw new ClientError('CLIENT_USAGE', `--login: ${error.message}`);
    throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const file of [walletFiles.config, walletFiles.key]) {
    const path = join(dataDir, file);
    if (existsSync(path)) throw new ClientError('CLIENT_ALREADY_INITIALIZED', `${path} exists: ${dataDir} holds a wallet already (init never overwrites)`);
  }
  const identity = generateIdentityKeyPair();
  const settings: WalletSettings = { version: 1, login, key: encodeKey('wallet', identity.publicKey) };
  writeNewFile(join(dataDir, walletFiles.key), `${JSON.stringify({ kind: keyFileKind, secretKey: bytesToHex(identity.secretKey) })}\n`, 0o600);
  writeNewFile(join(dataDir, walletFiles.config), `${JSON.stringify(settings, null, 2)}\n`, 0o644);
  identity.secretKey.fill(0);
  return settings;
}

export function loadWallet(dataDir: string): LoadedWallet {
  const configPath = join(dataDir, walletFiles.config);
  if (!existsSync(configPath)) throw new ClientError('CLIENT_NOT_INITIALIZED', `no wallet in ${dataDir} (${configPath} not found): run \`parley init --data ${dataDir} --login wallet@agent\``);
  const json = readJson(configPath) as { version?: unknown; login?: unknown; key?: unknown };
  if (json.version !== 1) throw new ClientError('CLIENT_BAD_FILE', `${configPath}: version: expected 1, got ${JSON.stringify(json.version)}`);
  if (typeof json.login !== 'string') throw new ClientError('CLIENT_BAD_FILE', `${configPath}: login: expected wallet@agent`);
  let login: LoginName;
  try {
    login = validateLoginName(json.login);
  } catch (error) {
    if (error instanceof NamesError) throw new ClientError('CLIENT_BAD_FILE', `${configPath}: login: ${error.message}`);
    throw error;
  }
  const identity = identityKeyPairFromSecretKey(readSecretKey(join(dataDir, walletFiles.key)));
  const key = encodeKey('wallet', identity.publicKey);
  if (json.key !== key) throw new ClientError('CLIENT_BAD_FILE', `${configPath}: key ${JSON.stringify(json.key)} is not the key in ${walletFiles.key} (${key})`);
  return { dataDir, settings: { version: 1, login, key }, identity };
}

export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ClientError('CLIENT_BAD_FILE', `${path}: not JSON (${(error as Error).message})`);
  }
}

/** Replaces a file whole (write to a temporary name, then rename), so a crash leaves old or new. */
export function writeJsonAtomically(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

function readSecretKey(path: string): Uint8Array {
  if (!existsSync(path)) throw new ClientError('CLIENT_BAD_FILE', `${path} not found (the wallet's secret key)`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new ClientError('CLIENT_BAD_FILE', `${path} has mode ${mode.toString(8)}: group or others can read it (chmod 600 ${path})`);
  const json = readJson(path) as { kind?: unknown; secretKey?: unknown };
  if (json.kind !== keyFileKind) throw new ClientError('CLIENT_BAD_FILE', `${path}: kind ${JSON.stringify(json.kind)}, expected ${JSON.stringify(keyFileKind)}`);
  if (typeof json.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(json.secretKey)) throw new ClientError('CLIENT_BAD_FILE', `${path}: secretKey: expected 64 lower-case hex digits`);
  return hexToBytes(json.secretKey);
}
