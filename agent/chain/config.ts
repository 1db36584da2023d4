import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '../../names/index.ts';
import { checkConsensusParams, checkStandingParams, type ConsensusParams, type StandingParams } from '../consensus/index.ts';
import { AgentError } from '../errors.ts';
import { chainParametersHash, checkChainParameters, type ChainParameters } from '../ledger/block-params.ts';

/**
 * An agent's chain configuration, `chain.json` beside agent.json, and the genesis chain block
 * (`genesis.block`, binary). Every agent of one chain holds the same two files: the parameters
 * (their hash is the chain id), the consensus timing and standing rules, and the peers it
 * dials (identity and Noise static keys, loopback address). docs/DECISIONS.md "Chain service"
 * notes that timing and standing are not yet committed by the chain id.
 */
export const chainFiles = { config: 'chain.json', genesis: 'genesis.block', ledger: 'ledger.sqlite' } as const;

export type ChainPeer = {
  readonly name: string;
  readonly identityKey: Uint8Array;
  readonly staticKey: Uint8Array;
  readonly host: string;
  readonly port: number;
};

export type ChainConfig = {
  readonly parameters: ChainParameters;
  readonly consensus: ConsensusParams;
  readonly standing: StandingParams;
  readonly peers: readonly ChainPeer[];
};

export type LoadedChain = ChainConfig & {
  readonly chainId: Uint8Array;
  readonly genesisBlock: Uint8Array;
  readonly ledgerPath: string;
};

export function hasChain(dataDir: string): boolean {
  return existsSync(join(dataDir, chainFiles.config));
}

export function writeChainFiles(dataDir: string, config: ChainConfig, genesisBlock: Uint8Array): void {
  const json = {
    version: 1,
    parameters: { ...config.parameters, outputAmountMin: String(config.parameters.outputAmountMin), feePerByteMin: String(config.parameters.feePerByteMin), actionFeeMin: String(config.parameters.actionFeeMin) },
    consensus: config.consensus,
    standing: { ...config.standing, minimumStake: String(config.standing.minimumStake) },
    peers: config.peers.map((peer) => ({ name: peer.name, identityKey: bytesToHex(peer.identityKey), staticKey: bytesToHex(peer.staticKey), host: peer.host, port: peer.port })),
  };
  writeFileSync(join(dataDir, chainFiles.config), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(dataDir, chainFiles.genesis), genesisBlock);
}

export function loadChain(dataDir: string): LoadedChain {
  const path = join(dataDir, chainFiles.config);
  const bad = (why: string): never => {
    throw new AgentError('CHAIN_BAD_CONFIG', `${path}: ${why}`);
  };
  let json: Record<string, any>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  } catch (error) {
    return bad(`not JSON (${(error as Error).message})`);
  }
  if (json['version'] !== 1) bad('version: expected 1');
  try {
    const raw = json['parameters'] as Record<string, any>;
    const parameters = checkChainParameters({ ...raw, version: 1, outputAmountMin: BigInt(raw['outputAmountMin']), feePerByteMin: BigInt(raw['feePerByteMin']), actionFeeMin: BigInt(raw['actionFeeMin']) } as ChainParameters);
    const consensus = checkConsensusParams(json['consensus'] as ConsensusParams);
    const standing = checkStandingParams({ ...(json['standing'] as StandingParams), minimumStake: BigInt((json['standing'] as Record<string, string>)['minimumStake']!) });
    if (standing.snapshotDelayBlocks !== parameters.stakeSnapshotDelayBlocks || standing.snapshotIntervalBlocks !== parameters.stakeSnapshotIntervalBlocks) bad('standing: snapshot delay and interval must be the ledger parameters\'');
    const peers = (json['peers'] as Record<string, unknown>[]).map((peer, index): ChainPeer => {
      const text = (field: string): string => (typeof peer[field] === 'string' ? (peer[field] as string) : bad(`peers[${index}].${field}: expected a string`));
      const port = peer['port'];
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) bad(`peers[${index}].port: expected a port`);
      return { name: text('name'), identityKey: hexToBytes(text('identityKey')), staticKey: hexToBytes(text('staticKey')), host: text('host'), port: port as number };
    });
    const genesisBlock = new Uint8Array(readFileSync(join(dataDir, chainFiles.genesis)));
    return { parameters, consensus, standing, peers, chainId: chainParametersHash(parameters), genesisBlock, ledgerPath: join(dataDir, chainFiles.ledger) };
  } catch (error) {
    if (error instanceof AgentError && error.code === 'CHAIN_BAD_CONFIG') throw error;
    return bad((error as Error).message);
  }
}
