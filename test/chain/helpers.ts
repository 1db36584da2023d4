import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, schnorrPublicKey, seededRng, systemClock, type Rng } from '../../names/index.ts';
import { LedgerChainApp, type FinalizedBlock } from '../../agent/chain/app.ts';
import { fastConsensusCrypto } from '../../agent/chain/fast-verify.ts';
import { buildGenesis, devnetParameters, devnetStanding } from '../../agent/chain/genesis.ts';
import { ChainMempool } from '../../agent/chain/mempool.ts';
import { writeGenesisIfNew } from '../../agent/chain/service.ts';
import { ChainStore } from '../../agent/chain/store.ts';
import { ConsensusNode, devnetConsensusParams, GuardedSigner, type ConsensusParams } from '../../agent/consensus/index.ts';
import { chainParametersHash } from '../../agent/ledger/block-params.ts';
import { encodeTransaction } from '../../agent/ledger/tx-codec.ts';
import { signatureMessage, transactionHash } from '../../agent/ledger/tx-hash.ts';
import { secretKeyFrom } from '../consensus/helpers.ts';
import { fastSchnorrSign } from '../../agent/chain/fast-verify.ts';
import type { Transaction } from '../../agent/ledger/tx-types.ts';

/** In-process chains for the chain tests: real ledger files, real crypto, an in-memory network. */

export function keysFrom(rng: Rng, count: number): Uint8Array[] {
  return Array.from({ length: count }, () => secretKeyFrom(rng));
}

export const parameters = devnetParameters('parley-chain-test');
export const parametersHash = chainParametersHash(parameters);
export const fastTiming: ConsensusParams = { ...devnetConsensusParams, blockIntervalMs: 20, proposeTimeoutMs: 2_000, prevoteTimeoutMs: 1_000, precommitTimeoutMs: 1_000, timeoutMaxMs: 4_000 };

export type TestChain = {
  readonly agentKeys: Uint8Array[];
  readonly faucetKey: Uint8Array;
  readonly genesis: { block: Uint8Array; transactions: Transaction[] };
};

export function makeChain(seed: number, agents = 4, faucetOutputs = 64): TestChain {
  const rng = seededRng(seed);
  const agentKeys = keysFrom(rng, agents);
  const [faucetKey] = keysFrom(rng, 1) as [Uint8Array];
  const genesis = buildGenesis({
    parameters,
    agents: agentKeys.map((secretKey, index) => ({ name: `agent${index}`, secretKey, host: Uint8Array.of(127, 0, 0, 1), port: 9000 + index })),
    faucetKeys: [faucetKey],
    outputsPerFaucetKey: faucetOutputs,
    faucetAmount: 10_000_000n,
    stakePerAgent: 1_000_000_000n,
    timeMs: 1_700_000_000_000,
  });
  return { agentKeys, faucetKey, genesis };
}

export type TestAgent = {
  readonly index: number;
  readonly hex: string;
  readonly store: ChainStore;
  readonly mempool: ChainMempool;
  readonly app: LedgerChainApp;
  readonly node: ConsensusNode;
  readonly finalized: FinalizedBlock[];
};

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'parley-chain-'));
}

/** Starts the agents of `chain` with ledger files in `dir`, wired by setImmediate message passing. */
export function startAgents(chain: TestChain, dir: string, options: { timing?: ConsensusParams; down?: Set<number> } = {}): TestAgent[] {
  const chainId = parametersHash;
  const agents: TestAgent[] = [];
  const down = options.down ?? new Set<number>();
  chain.agentKeys.forEach((secretKey, index) => {
    const store = ChainStore.open(join(dir, `agent${index}.sqlite`), parameters, { synchronous: 'NORMAL' });
    writeGenesisIfNew(store, { parameters, chainId, genesisBlock: chain.genesis.block } as never);
    const crypto = fastConsensusCrypto(seededRng(1000 + index));
    const mempool = new ChainMempool(store.ledger);
    const finalized: FinalizedBlock[] = [];
    const app = new LedgerChainApp({ store, standing: devnetStanding(parameters), crypto, mempool, clock: systemClock, finalized: (block) => finalized.push(block) });
    const hex = bytesToHex(schnorrPublicKey(secretKey));
    const deliver = (to: TestAgent, bytes: Uint8Array): void => {
      if (down.has(index) || down.has(to.index)) return;
      setImmediate(() => to.node.receive(hex, bytes));
    };
    const node = new ConsensusNode({
      chainId,
      params: options.timing ?? fastTiming,
      crypto,
      signer: new GuardedSigner({ secretKey, crypto, store: store.guardStore(), chainId }),
      app,
      clock: systemClock,
      transport: {
        broadcast: (bytes) => agents.filter((other) => other !== agents[index]).forEach((other) => deliver(other, bytes)),
        send: (to, bytes) => {
          const target = agents.find((other) => other.hex === to);
          if (target !== undefined) deliver(target, bytes);
        },
      },
    });
    agents.push({ index, hex, store, mempool, app, node, finalized });
  });
  for (const agent of agents) agent.node.start();
  return agents;
}

export function stopAgents(agents: readonly TestAgent[]): void {
  for (const agent of agents) {
    agent.node.stop();
    agent.store.close();
  }
}

/** A one-input payment of faucet coin `index` back to the faucet key. */
export function payment(chain: TestChain, index: number): Uint8Array {
  const genesisTx = chain.genesis.transactions.find((tx) => tx.outputs.some((output) => bytesToHex(output.key) === bytesToHex(schnorrPublicKey(chain.faucetKey))))!;
  const coinTxHash = transactionHash(genesisTx);
  const coin = genesisTx.outputs[index]!;
  const fee = 184n;
  const unsigned = { version: 1 as const, inputs: [{ txHash: coinTxHash, index }], outputs: [{ amount: coin.amount - fee, key: coin.key, host: coin.host }], fee, commitment: null, actions: [] };
  const signature = fastSchnorrSign(signatureMessage(parametersHash, transactionHash(unsigned)), chain.faucetKey, new Uint8Array(32));
  return encodeTransaction({ ...unsigned, signatures: [signature] });
}

export async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
