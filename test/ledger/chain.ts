import { bytesToHex, schnorrPublicKey, seededRng, type Rng } from '../../names/index.ts';
import { proposeBlock } from '../../agent/ledger/apply-block.ts';
import { chainParametersHash, devnetChainParameters, type ChainParameters } from '../../agent/ledger/block-params.ts';
import type { Block } from '../../agent/ledger/block-types.ts';
import type { LedgerView } from '../../agent/ledger/state-types.ts';
import { encodeUnsignedTransaction } from '../../agent/ledger/tx-codec.ts';
import { distinctKeys, signTransaction } from '../../agent/ledger/tx-sign.ts';
import { transactionHash } from '../../agent/ledger/tx-hash.ts';
import type { Action, Output, Transaction, UnsignedTransaction } from '../../agent/ledger/tx-types.ts';

/**
 * A deterministic little economy for ledger tests: agents registered at genesis, wallets that
 * hold outputs and pay each other. Everything comes from one seed, so a failing property run
 * replays exactly. Signing uses zero aux randomness, so bytes are reproducible too.
 */
export const testParams: ChainParameters = { ...devnetChainParameters, chainId: 'parley-test', outputAmountMin: 100n, feePerByteMin: 1n, actionFeeMin: 50n };

export type Signer = { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };
export type Coin = { readonly txHash: Uint8Array; readonly index: number; readonly output: Output; readonly owner: Signer };

export const zeroAux = new Uint8Array(32);

export function signerFrom(rng: Rng): Signer {
  for (;;) {
    const secretKey = rng.bytes(32);
    try {
      return { secretKey, publicKey: schnorrPublicKey(secretKey) };
    } catch {
      // a value ≥ n: draw again
    }
  }
}

/** Encoded size of a transaction once signed with `signatureCount` signatures (the layout is fixed-width). */
export function signedSize(tx: UnsignedTransaction, signatureCount: number): number {
  return encodeUnsignedTransaction(tx).length + 1 + 64 * signatureCount;
}

/** The minimum fee for `tx`: it does not depend on the fee's own value (fixed width). */
export function minimumFee(params: ChainParameters, tx: UnsignedTransaction, signatureCount: number): bigint {
  return params.feePerByteMin * BigInt(signedSize(tx, signatureCount)) + params.actionFeeMin * BigInt(tx.actions.length);
}

export class TestEconomy {
  readonly rng: Rng;
  readonly agents: Signer[] = [];
  readonly wallets: Signer[] = [];
  /** Unspent coins the wallets hold, as far as the economy knows (it trusts its own blocks). */
  coins: Coin[] = [];
  timeMs = 1_700_000_000_000;

  constructor(
    readonly seed: number,
    readonly params: ChainParameters = testParams,
    agentCount = 2,
    walletCount = 6,
  ) {
    this.rng = seededRng(seed);
    for (let index = 0; index < agentCount; index++) this.agents.push(signerFrom(this.rng));
    for (let index = 0; index < walletCount; index++) this.wallets.push(signerFrom(this.rng));
  }

  get parametersHash(): Uint8Array {
    return chainParametersHash(this.params);
  }

  /** Genesis: each agent registers `agent<i>` and every wallet gets `coinsPerWallet` outputs. */
  genesisTransaction(coinsPerWallet = 2, amount = 1_000_000n): Transaction {
    const actions: Action[] = [];
    this.agents.forEach((agent, index) => {
      actions.push({ kind: 'nameRegister', name: `agent${index}`, owner: agent.publicKey });
      actions.push({ kind: 'agentRegister', name: `agent${index}`, key: agent.publicKey, endpoint: { family: 4, address: Uint8Array.of(10, 0, 0, index + 1), port: 4000 + index } });
    });
    const outputs: Output[] = [];
    for (const wallet of this.wallets) {
      for (let coin = 0; coin < coinsPerWallet; coin++) outputs.push({ amount, key: wallet.publicKey, host: this.pick(this.agents).publicKey });
    }
    const unsigned: UnsignedTransaction = { version: 1, inputs: [], outputs, fee: 0n, commitment: null, actions };
    // One signature per distinct action key: each agent signs once (register name, then agent).
    const tx = signTransaction(unsigned, this.parametersHash, this.agents.map((agent) => agent.secretKey), zeroAux);
    this.learn(tx);
    return tx;
  }

  /** A valid payment from random coins to random wallets, or undefined when no coin is left. */
  payment(): Transaction | undefined {
    if (this.coins.length === 0) return undefined;
    const inputCount = Math.min(this.coins.length, 1 + this.rng.below(2));
    const chosen: Coin[] = [];
    for (let index = 0; index < inputCount; index++) chosen.push(this.coins.splice(this.rng.below(this.coins.length), 1)[0]!);
    const total = chosen.reduce((sum, coin) => sum + coin.output.amount, 0n);
    const outputCount = 1 + this.rng.below(2);
    const draft: UnsignedTransaction = {
      version: 1,
      inputs: chosen.map((coin) => ({ txHash: coin.txHash, index: coin.index })),
      outputs: Array.from({ length: outputCount }, () => ({ amount: 0n, key: this.pick(this.wallets).publicKey, host: this.pick(this.agents).publicKey })),
      fee: 0n,
      commitment: this.rng.below(4) === 0 ? this.rng.bytes(32) : null,
      actions: [],
    };
    const owners = distinctSigners(chosen.map((coin) => coin.owner));
    const fee = minimumFee(this.params, draft, owners.length) + BigInt(this.rng.below(50));
    const spendable = total - fee;
    if (spendable < this.params.outputAmountMin * BigInt(outputCount)) {
      this.coins.push(...chosen);
      return undefined;
    }
    const first = outputCount === 1 ? spendable : this.params.outputAmountMin + BigInt(this.rng.below(Number(spendable - 2n * this.params.outputAmountMin) + 1));
    const amounts = outputCount === 1 ? [spendable] : [first, spendable - first];
    const unsigned: UnsignedTransaction = { ...draft, fee, outputs: draft.outputs.map((output, index) => ({ ...output, amount: amounts[index]! })) };
    const tx = signTransaction(unsigned, this.parametersHash, owners.map((owner) => owner.secretKey), zeroAux);
    this.learn(tx);
    return tx;
  }

  /** The next block on `view` with these transactions (proposeBlock computes the roots). */
  block(view: LedgerView, transactions: readonly Transaction[]): Block {
    this.timeMs += 1000;
    const proposal = proposeBlock(view, transactions, this.timeMs);
    if (proposal.rejected.length > 0) throw new Error(`test economy made an invalid transaction: ${proposal.rejected[0]!.error.message}`);
    return proposal.block;
  }

  /** `count` payments (fewer when the coins run out). */
  payments(count: number): Transaction[] {
    const out: Transaction[] = [];
    for (let index = 0; index < count; index++) {
      const tx = this.payment();
      if (tx !== undefined) out.push(tx);
    }
    return out;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.rng.below(items.length)]!;
  }

  private learn(tx: Transaction): void {
    const txHash = transactionHash(tx);
    tx.outputs.forEach((output, index) => {
      const owner = this.wallets.find((wallet) => bytesToHex(wallet.publicKey) === bytesToHex(output.key));
      if (owner !== undefined) this.coins.push({ txHash, index, output, owner });
    });
  }
}

function distinctSigners(signers: readonly Signer[]): Signer[] {
  const keys = distinctKeys(signers.map((signer) => signer.publicKey)).map(bytesToHex);
  return keys.map((key) => signers.find((signer) => bytesToHex(signer.publicKey) === key)!);
}
