import { taggedHash } from '../../names/index.ts';
import {
  ledgerAmountLimit,
  ledgerBlockBytesMax,
  ledgerBlockTransactionsMax,
  ledgerChainIdBytesMax,
  ledgerHeaderBytes,
  ledgerParametersVersion,
  ledgerTransactionBytesMax,
} from '../constants.ts';
import { AgentError } from '../errors.ts';
import { ByteReader, ByteWriter } from './tx-bytes.ts';
import { ledgerHashTags } from './tx-hash.ts';

/**
 * Chain parameters: the rules one chain chose within the protocol's limits. Every header
 * commits their hash, so two agents with different parameters cannot agree on a block.
 */
export type ChainParameters = {
  readonly version: 1;
  /** Printable ASCII, 1..32 bytes: `parley-devnet`. */
  readonly chainId: string;
  /** No output may hold less (dust would bloat the outpoint tree for free). At least 1. */
  readonly outputAmountMin: bigint;
  /** Fee floor per encoded transaction byte, signatures included. */
  readonly feePerByteMin: bigint;
  /** Fee floor added per name or agent action (squatting costs something). */
  readonly actionFeeMin: bigint;
  /** A name registered or renewed at height h is live until height h + nameLifetimeBlocks − 1. */
  readonly nameLifetimeBlocks: number;
  /**
   * Stake weights for height h come from the state after block snapshotHeight(h) =
   * ⌊(h − delay)/interval⌋·interval (0 while h < delay): the design's seed is 4096 and 1000.
   */
  readonly stakeSnapshotIntervalBlocks: number;
  readonly stakeSnapshotDelayBlocks: number;
  readonly blockTransactionsMax: number;
  readonly blockBytesMax: number;
};

/** The design's values (DESIGN.md "Chain and consensus"). */
export const defaultChainParameters: ChainParameters = Object.freeze({
  version: 1,
  chainId: 'parley',
  outputAmountMin: 1_000n,
  feePerByteMin: 1n,
  actionFeeMin: 10_000n,
  nameLifetimeBlocks: 365 * 24 * 3600,
  stakeSnapshotIntervalBlocks: 4096,
  stakeSnapshotDelayBlocks: 1000,
  blockTransactionsMax: 10_000,
  blockBytesMax: 4 * 1024 * 1024,
});

/** Small numbers so a devnet or a test sees snapshots and expiries within a few blocks. */
export const devnetChainParameters: ChainParameters = Object.freeze({
  ...defaultChainParameters,
  chainId: 'parley-devnet',
  nameLifetimeBlocks: 100,
  stakeSnapshotIntervalBlocks: 8,
  stakeSnapshotDelayBlocks: 2,
});

/** Throws LEDGER_BAD_PARAMETERS naming the first field out of its range. */
export function checkChainParameters(params: ChainParameters): ChainParameters {
  const fail = (message: string): never => {
    throw new AgentError('LEDGER_BAD_PARAMETERS', `chain parameters: ${message}`);
  };
  if (params.version !== ledgerParametersVersion) fail(`version ${String(params.version)}, this code knows ${ledgerParametersVersion}`);
  if (!/^[\x21-\x7e]+$/.test(params.chainId) || params.chainId.length > ledgerChainIdBytesMax) {
    fail(`chainId must be 1..${ledgerChainIdBytesMax} printable ASCII characters`);
  }
  const u64 = (value: bigint, field: string, min: bigint): void => {
    if (typeof value !== 'bigint' || value < min || value >= ledgerAmountLimit) fail(`${field} must be a u64 ≥ ${min}`);
  };
  u64(params.outputAmountMin, 'outputAmountMin', 1n);
  u64(params.feePerByteMin, 'feePerByteMin', 0n);
  u64(params.actionFeeMin, 'actionFeeMin', 0n);
  const u32 = (value: number, field: string, min: number, max = 0xffff_ffff): void => {
    if (!Number.isInteger(value) || value < min || value > max) fail(`${field} must be an integer in ${min}..${max}`);
  };
  u32(params.nameLifetimeBlocks, 'nameLifetimeBlocks', 1);
  u32(params.stakeSnapshotIntervalBlocks, 'stakeSnapshotIntervalBlocks', 1);
  // The snapshot that weighs height h must be final before h is decided.
  u32(params.stakeSnapshotDelayBlocks, 'stakeSnapshotDelayBlocks', 1);
  u32(params.blockTransactionsMax, 'blockTransactionsMax', 1, ledgerBlockTransactionsMax);
  u32(params.blockBytesMax, 'blockBytesMax', ledgerHeaderBytes + 4 + 4 + ledgerTransactionBytesMax, ledgerBlockBytesMax);
  return params;
}

export function encodeChainParameters(params: ChainParameters): Uint8Array {
  checkChainParameters(params);
  return new ByteWriter()
    .u8(params.version)
    .bytes8(new TextEncoder().encode(params.chainId))
    .u64(params.outputAmountMin)
    .u64(params.feePerByteMin)
    .u64(params.actionFeeMin)
    .u32(params.nameLifetimeBlocks)
    .u32(params.stakeSnapshotIntervalBlocks)
    .u32(params.stakeSnapshotDelayBlocks)
    .u32(params.blockTransactionsMax)
    .u32(params.blockBytesMax)
    .finish();
}

export function decodeChainParameters(bytes: Uint8Array): ChainParameters {
  const reader = new ByteReader(bytes, 'chain parameters');
  const version = reader.u8('version');
  if (version !== ledgerParametersVersion) reader.fail('LEDGER_UNKNOWN_VERSION', `version ${version}, this code reads ${ledgerParametersVersion}`);
  const chainId = new TextDecoder().decode(reader.bytes8(ledgerChainIdBytesMax, 'chainId'));
  const params: ChainParameters = {
    version: 1,
    chainId,
    outputAmountMin: reader.u64('outputAmountMin'),
    feePerByteMin: reader.u64('feePerByteMin'),
    actionFeeMin: reader.u64('actionFeeMin'),
    nameLifetimeBlocks: reader.u32('nameLifetimeBlocks'),
    stakeSnapshotIntervalBlocks: reader.u32('stakeSnapshotIntervalBlocks'),
    stakeSnapshotDelayBlocks: reader.u32('stakeSnapshotDelayBlocks'),
    blockTransactionsMax: reader.u32('blockTransactionsMax'),
    blockBytesMax: reader.u32('blockBytesMax'),
  };
  reader.end();
  return checkChainParameters(params);
}

export function chainParametersHash(params: ChainParameters): Uint8Array {
  return taggedHash(ledgerHashTags.parameters, encodeChainParameters(params));
}

/** The height whose post-block state gives the stake weights for height `height`. */
export function stakeSnapshotHeight(params: ChainParameters, height: number): number {
  const delay = params.stakeSnapshotDelayBlocks;
  if (height < delay) return 0;
  const interval = params.stakeSnapshotIntervalBlocks;
  return Math.floor((height - delay) / interval) * interval;
}

/** True when the state after block `height` is a snapshot some later height will use. */
export function isStakeSnapshotHeight(params: ChainParameters, height: number): boolean {
  return height % params.stakeSnapshotIntervalBlocks === 0;
}
