import { bytesToHex, schnorrPublicKey } from '../../names/index.ts';
import { devnetConsensusParams, devnetStandingParams, type ConsensusParams, type StandingParams } from '../consensus/index.ts';
import { proposeBlock } from '../ledger/apply-block.ts';
import { chainParametersHash, devnetChainParameters, type ChainParameters } from '../ledger/block-params.ts';
import { encodeBlock } from '../ledger/block-codec.ts';
import { MemoryLedgerState } from '../ledger/state-memory.ts';
import { transactionHash } from '../ledger/tx-hash.ts';
import { signTransaction } from '../ledger/tx-sign.ts';
import type { Action, Output, Transaction, UnsignedTransaction } from '../ledger/tx-types.ts';
import { emptySection, encodeSection, joinChainBlock } from './block.ts';

/**
 * A devnet's genesis: every agent registers its name and itself (loopback endpoint), each is
 * given equal stake, and faucet keys receive many small outputs hosted round-robin with the
 * agents, so a load generator has thousands of independent coins to spend from the first block.
 */

/** Devnet chain parameters: small snapshots (interval 8, delay 2), names that never expire on a devnet's scale, blocks that fit one channel message. */
export function devnetParameters(chainId = 'parley-devnet'): ChainParameters {
  return {
    ...devnetChainParameters,
    chainId,
    nameLifetimeBlocks: 0xffff_ffff,
    blockTransactionsMax: 250,
    blockBytesMax: 768 * 1024,
  };
}

/** Devnet consensus timing: the 1 s block interval of the design unless asked otherwise; timeouts long enough for a full block on a loaded 2-core machine. */
export function devnetTiming(blockIntervalMs = 1000): ConsensusParams {
  return { ...devnetConsensusParams, blockIntervalMs, proposeTimeoutMs: 1500, proposeTimeoutDeltaMs: 500, prevoteTimeoutMs: 750, prevoteTimeoutDeltaMs: 250, precommitTimeoutMs: 750, precommitTimeoutDeltaMs: 250, timeoutMaxMs: 5_000 };
}

export function devnetStanding(parameters: ChainParameters): StandingParams {
  return { ...devnetStandingParams, snapshotDelayBlocks: parameters.stakeSnapshotDelayBlocks, snapshotIntervalBlocks: parameters.stakeSnapshotIntervalBlocks };
}

export type GenesisAgent = {
  readonly name: string;
  readonly secretKey: Uint8Array;
  readonly host: Uint8Array;
  readonly port: number;
};

export type GenesisOptions = {
  readonly parameters: ChainParameters;
  readonly agents: readonly GenesisAgent[];
  /** Each faucet key gets `outputsPerFaucetKey` outputs of `faucetAmount`. */
  readonly faucetKeys: readonly Uint8Array[];
  readonly outputsPerFaucetKey: number;
  readonly faucetAmount: bigint;
  readonly stakePerAgent: bigint;
  readonly timeMs: number;
};

const outputsPerTransaction = 64;
const actionsPerTransaction = 8;

export function buildGenesis(options: GenesisOptions): { block: Uint8Array; transactions: Transaction[] } {
  const { parameters } = options;
  const parametersHash = chainParametersHash(parameters);
  const transactions: Transaction[] = [];
  const hosts = options.agents.map((agent) => schnorrPublicKey(agent.secretKey));
  // Registrations: two actions per agent, four agents per transaction, each with its stake.
  for (let first = 0; first < options.agents.length; first += actionsPerTransaction / 2) {
    const group = options.agents.slice(first, first + actionsPerTransaction / 2);
    const actions: Action[] = [];
    const outputs: Output[] = [];
    group.forEach((agent, offset) => {
      const key = hosts[first + offset]!;
      actions.push({ kind: 'nameRegister', name: agent.name, owner: key });
      actions.push({ kind: 'agentRegister', name: agent.name, key, endpoint: { family: 4, address: agent.host, port: agent.port } });
      outputs.push({ amount: options.stakePerAgent, key, host: key });
    });
    const unsigned: UnsignedTransaction = { version: 1, inputs: [], outputs, fee: 0n, commitment: null, actions };
    transactions.push(signTransaction(unsigned, parametersHash, group.map((agent) => agent.secretKey)));
  }
  // Faucet coins, hosted round-robin so they add the same stake to every agent.
  let hostIndex = 0;
  for (const faucetSecret of options.faucetKeys) {
    const key = schnorrPublicKey(faucetSecret);
    for (let made = 0; made < options.outputsPerFaucetKey; made += outputsPerTransaction) {
      const count = Math.min(outputsPerTransaction, options.outputsPerFaucetKey - made);
      const outputs: Output[] = Array.from({ length: count }, () => ({ amount: options.faucetAmount, key, host: hosts[hostIndex++ % hosts.length]! }));
      // Genesis mints without inputs; a commitment of the faucet key and batch keeps every hash distinct.
      const commitment = new Uint8Array(32);
      new DataView(commitment.buffer).setUint32(28, made);
      commitment.set(key.subarray(0, 16), 0);
      transactions.push({ version: 1, inputs: [], outputs, fee: 0n, commitment, actions: [], signatures: [] });
    }
  }
  const proposal = proposeBlock(MemoryLedgerState.empty(parameters), transactions, options.timeMs);
  if (proposal.rejected.length > 0) throw proposal.rejected[0]!.error;
  return { block: joinChainBlock(encodeBlock(proposal.block), encodeSection(emptySection)), transactions };
}

/** The faucet coins of a genesis: (txHash, index, amount) of every output to `key`. */
export function faucetCoins(transactions: readonly Transaction[], key: Uint8Array): { txHash: Uint8Array; index: number; amount: bigint }[] {
  const hex = bytesToHex(key);
  return transactions.flatMap((transaction) => {
    const txHash = transactionHash(transaction);
    return transaction.outputs.flatMap((output, index) => (bytesToHex(output.key) === hex ? [{ txHash, index, amount: output.amount }] : []));
  });
}
