import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  musigAggregateNonces,
  musigAggregatePartialSignatures,
  musigAggregatePublicKeys,
  musigGenerateNonce,
  musigIndividualPublicKey,
  musigPartialSign,
  musigStartSession,
  schnorrPublicKey,
  schnorrVerify,
  seededRng,
  type Rng,
} from '../names/index.ts';
import { applyBlock, proposeBlock } from '../agent/ledger/apply-block.ts';
import { chainParametersHash, devnetChainParameters, type ChainParameters } from '../agent/ledger/block-params.ts';
import type { Block } from '../agent/ledger/block-types.ts';
import { MemoryLedgerState } from '../agent/ledger/state-memory.ts';
import { SqliteLedgerStore } from '../agent/ledger/store-sqlite.ts';
import { signatureMessage, transactionHash } from '../agent/ledger/tx-hash.ts';
import { signTransaction, verifyTransactionSignatures } from '../agent/ledger/tx-sign.ts';
import type { Output, Transaction, UnsignedTransaction } from '../agent/ledger/tx-types.ts';
import { ledgerOutputsMax } from '../agent/constants.ts';
import { opsPerSecond } from './measure.ts';
import { formatNumber, report, type JsonValue, type TableRow } from './report.ts';

/**
 * `npm run bench -- ledger [--json] [--entries N] [--seconds S] [--skip-merkle]`
 *
 * - authorization of a 2-input transaction, both designs side by side: one BIP340 signature per
 *   input (what the chain uses) against one MuSig2 signature under KeyAgg of the input keys;
 * - full validation (applyBlock, signatures included) of a block of 2-input 2-output
 *   transactions, next to raw BIP340 verifications in the same run (the ceiling);
 * - SQLite blocks applied per second, synchronous=FULL and NORMAL (signatures counted as already
 *   verified on mempool admission, so this is the storage path alone);
 * - proof generation and verification at 1M UTXOs from bench/ledger-merkle.ts, when present.
 */
const params: ChainParameters = { ...devnetChainParameters, chainId: 'parley-bench', blockTransactionsMax: 10_000 };
const parametersHash = chainParametersHash(params);

type Signer = { secretKey: Uint8Array; publicKey: Uint8Array };

export async function run(args: string[]): Promise<void> {
  const seconds = option(args, '--seconds', 1);
  const rng = seededRng(2024);
  const authorization = measureAuthorization(rng, seconds);
  const validation = measureValidation(rng, 300);
  const storage = measureStorage(rng);
  const merkle = args.includes('--skip-merkle') ? undefined : await measureMerkle(args);
  const result: { [key: string]: JsonValue } = {
    txValidatedPerSec: Math.round(validation.txPerSec),
    rawSchnorrVerifyPerSec: Math.round(validation.rawVerifyPerSec),
    txValidatedFractionOfCeiling: Math.round(validation.ceilingFraction * 1000) / 1000,
    proofVerifyPerSec: merkle?.proofVerifyPerSec ?? null,
    proofGeneratePerSec: merkle?.proofGeneratePerSec ?? null,
    merkleEntries: merkle?.entries ?? null,
    blocksAppliedPerSec: Math.round(storage.full.blocksPerSec * 10) / 10,
    blocksAppliedPerSecNormalSync: Math.round(storage.normal.blocksPerSec * 10) / 10,
    transactionsPerBlock: storage.transactionsPerBlock,
    txValidatedPerSecWithoutSignatures: Math.round(validation.txPerSecWithoutSignatures),
    authorizationPerInput2PerSec: Math.round(authorization.perInput[2]!),
    authorizationMusig2_2PerSec: Math.round(authorization.musig[2]!),
    authorizationPerInput4PerSec: Math.round(authorization.perInput[4]!),
    authorizationMusig2_4PerSec: Math.round(authorization.musig[4]!),
    keyAggregation2PerSec: Math.round(authorization.keyAggregation2PerSec),
  };
  const rows: TableRow[] = [
    { measure: 'raw BIP340 verify (the ceiling)', 'per second': validation.rawVerifyPerSec, note: '@noble/curves via names/' },
    { measure: '2-in 2-out tx validated (applyBlock)', 'per second': validation.txPerSec, note: `${formatNumber(validation.ceilingFraction)}× the 2-verify ceiling` },
    { measure: '… same, signatures pre-verified', 'per second': validation.txPerSecWithoutSignatures, note: 'rules, lookups, roots' },
    { measure: 'authorize 2 inputs: per-input BIP340', 'per second': authorization.perInput[2]!, note: `2 verifies (chosen): ${formatNumber(authorization.perInput[2]! / authorization.musig[2]!)}× MuSig2` },
    { measure: 'authorize 2 inputs: MuSig2 KeyAgg + 1 verify', 'per second': authorization.musig[2]!, note: 'seed design' },
    { measure: 'authorize 4 inputs: per-input BIP340', 'per second': authorization.perInput[4]!, note: `4 verifies: ${formatNumber(authorization.perInput[4]! / authorization.musig[4]!)}× MuSig2` },
    { measure: 'authorize 4 inputs: MuSig2 KeyAgg + 1 verify', 'per second': authorization.musig[4]!, note: '' },
    { measure: 'MuSig2 KeyAgg of 2 keys', 'per second': authorization.keyAggregation2PerSec, note: '@scure/btc-signer' },
    { measure: `SQLite blocks applied, FULL (${storage.transactionsPerBlock} tx)`, 'per second': storage.full.blocksPerSec, note: `${formatNumber(storage.full.blocksPerSec * storage.transactionsPerBlock)} tx/s` },
    { measure: `SQLite blocks applied, NORMAL (${storage.transactionsPerBlock} tx)`, 'per second': storage.normal.blocksPerSec, note: `${formatNumber(storage.normal.blocksPerSec * storage.transactionsPerBlock)} tx/s` },
  ];
  if (merkle !== undefined) {
    rows.push({ measure: `outpoint proof generate (${formatNumber(merkle.entries)} UTXOs)`, 'per second': merkle.proofGeneratePerSec, note: 'bench/ledger-merkle.ts' });
    rows.push({ measure: `outpoint proof verify (${formatNumber(merkle.entries)} UTXOs)`, 'per second': merkle.proofVerifyPerSec, note: 'bench/ledger-merkle.ts' });
  }
  report('ledger', result, rows, args);
}

function option(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = Number(index >= 0 ? args[index + 1] : undefined);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function signer(rng: Rng): Signer {
  for (;;) {
    const secretKey = rng.bytes(32);
    try {
      return { secretKey, publicKey: schnorrPublicKey(secretKey) };
    } catch {
      // ≥ n: draw again
    }
  }
}

/** One transaction's authorization under both designs, for 2 and 4 inputs with distinct keys. */
function measureAuthorization(rng: Rng, seconds: number) {
  const signers = [signer(rng), signer(rng), signer(rng), signer(rng)];
  const perInput: Record<number, number> = {};
  const musig: Record<number, number> = {};
  let keyAggregation2PerSec = 0;
  const durationMs = (seconds * 1000) / 4;
  for (const inputs of [2, 4]) {
    const owners = signers.slice(0, inputs);
    const unsigned: UnsignedTransaction = {
      version: 1,
      inputs: owners.map((_, index) => ({ txHash: rng.bytes(32), index })),
      outputs: [0, 1].map(() => ({ amount: 50_000n, key: signers[0]!.publicKey, host: signers[1]!.publicKey })),
      fee: 1_000n,
      commitment: null,
      actions: [],
    };
    const tx = signTransaction(unsigned, parametersHash, owners.map((owner) => owner.secretKey));
    const txHash = transactionHash(tx);
    const keys = owners.map((owner) => owner.publicKey);
    const message = signatureMessage(parametersHash, txHash);
    const plainKeys = owners.map((owner) => musigIndividualPublicKey(owner.secretKey));
    const aggregateSignature = musigSign(owners, plainKeys, message);
    const musigAuthorize = (): void => {
      const { aggregatePublicKey } = musigAggregatePublicKeys(plainKeys);
      if (!schnorrVerify(aggregateSignature, message, aggregatePublicKey)) throw new Error('bench: MuSig2 signature does not verify');
    };
    // Interleaved slices, so load from a neighbour hits every variant alike.
    let perInputTotal = 0;
    let musigTotal = 0;
    for (let slice = 0; slice < 4; slice++) {
      perInputTotal += opsPerSecond(() => verifyTransactionSignatures(tx, txHash, parametersHash, keys), durationMs / 2);
      musigTotal += opsPerSecond(musigAuthorize, durationMs / 2);
    }
    perInput[inputs] = perInputTotal / 4;
    musig[inputs] = musigTotal / 4;
    if (inputs === 2) {
      keyAggregation2PerSec = opsPerSecond(() => musigAggregatePublicKeys(plainKeys), durationMs);
    }
  }
  return { perInput, musig, keyAggregation2PerSec };
}

/** A full BIP327 session among the owners: what the wallets would run for every transaction. */
function musigSign(owners: readonly Signer[], plainKeys: readonly Uint8Array[], message: Uint8Array): Uint8Array {
  const keyAggregate = musigAggregatePublicKeys(plainKeys);
  const nonces = owners.map((owner, index) => musigGenerateNonce({ publicKey: plainKeys[index]!, secretKey: owner.secretKey, message }));
  const session = musigStartSession(keyAggregate, musigAggregateNonces(nonces.map((nonce) => nonce.publicNonce)), message);
  const partials = owners.map((owner, index) => musigPartialSign(session, nonces[index]!.secretNonce, owner.secretKey));
  return musigAggregatePartialSignatures(session, partials);
}

/**
 * Genesis gives 2·count wallets one coin each; the block spends them in pairs (2 distinct keys,
 * so 2 signatures each) into 2 outputs. Timed: applyBlock on the in-memory state.
 */
function measureValidation(rng: Rng, count: number) {
  const agent = signer(rng);
  const wallets = Array.from({ length: 2 * count }, () => signer(rng));
  const minted = genesis(agent, wallets.map((wallet) => ({ amount: 1_000_000n, key: wallet.publicKey, host: agent.publicKey })));
  let state = MemoryLedgerState.empty(params);
  const applied = state.apply(proposeBlock(state, minted.transactions, 1_000).block);
  if (!applied.ok) throw applied.error;
  state = applied.state;
  const payments: Transaction[] = [];
  for (let index = 0; index < count; index++) {
    const [first, second] = [wallets[2 * index]!, wallets[2 * index + 1]!];
    const unsigned: UnsignedTransaction = {
      version: 1,
      inputs: [minted.outpoints[2 * index]!, minted.outpoints[2 * index + 1]!],
      outputs: [{ amount: 1_200_000n, key: second.publicKey, host: agent.publicKey }, { amount: 790_000n, key: first.publicKey, host: agent.publicKey }],
      fee: 10_000n,
      commitment: null,
      actions: [],
    };
    payments.push(signTransaction(unsigned, parametersHash, [first.secretKey, second.secretKey]));
  }
  const block = proposeBlock(state, payments, 2_000, { preverified: () => true }).block;
  const rate = (options: Parameters<typeof applyBlock>[2]): number => {
    const start = performance.now();
    const result = applyBlock(state, block, options);
    const elapsed = performance.now() - start;
    if (!result.ok) throw result.error;
    return (count * 1000) / elapsed;
  };
  // Raw verifications are timed right next to each validation round, so both see the same load.
  const sample = payments[0]!;
  const message = signatureMessage(parametersHash, transactionHash(sample));
  const rounds = Array.from({ length: 3 }, () => {
    const raw = opsPerSecond(() => schnorrVerify(sample.signatures[0]!, message, wallets[0]!.publicKey), 300);
    return { raw, validated: rate({}), withoutSignatures: rate({ preverified: () => true }) };
  });
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    txPerSec: median(rounds.map((round) => round.validated)),
    rawVerifyPerSec: median(rounds.map((round) => round.raw)),
    ceilingFraction: median(rounds.map((round) => round.validated / (round.raw / 2))),
    txPerSecWithoutSignatures: median(rounds.map((round) => round.withoutSignatures)),
  };
}

/**
 * Genesis transactions: the first registers the agent, and the outputs are minted 64 to a
 * transaction (ledgerOutputsMax). Returns them with the outpoint of every output, in order.
 */
function genesis(agent: Signer, outputs: readonly Output[]): { transactions: Transaction[]; outpoints: { txHash: Uint8Array; index: number }[] } {
  const transactions: Transaction[] = [];
  const outpoints: { txHash: Uint8Array; index: number }[] = [];
  for (let start = 0; start === 0 || start < outputs.length; start += ledgerOutputsMax) {
    const unsigned: UnsignedTransaction = {
      version: 1,
      inputs: [],
      outputs: outputs.slice(start, start + ledgerOutputsMax),
      fee: 0n,
      commitment: null,
      actions:
        start > 0
          ? []
          : [
              { kind: 'nameRegister', name: 'bench-agent', owner: agent.publicKey },
              { kind: 'agentRegister', name: 'bench-agent', key: agent.publicKey, endpoint: { family: 4, address: Uint8Array.of(127, 0, 0, 1), port: 4000 } },
            ],
    };
    const tx = signTransaction(unsigned, parametersHash, start > 0 ? [] : [agent.secretKey]);
    const txHash = transactionHash(tx);
    tx.outputs.forEach((_, index) => outpoints.push({ txHash, index }));
    transactions.push(tx);
  }
  return { transactions, outpoints };
}

/**
 * Blocks of 2-in 2-out transactions with placeholder signatures (the storage path alone: the
 * signatures count as verified on mempool admission), applied to a fresh file per setting.
 */
function measureStorage(rng: Rng) {
  const transactionsPerBlock = 100;
  const blockCount = 40;
  const agent = signer(rng);
  const outputsAtGenesis = 2 * transactionsPerBlock;
  // Distinct amounts: identical mint transactions would share a hash.
  const minted = genesis(agent, Array.from({ length: outputsAtGenesis }, (_, index) => ({ amount: 1_000_000n + BigInt(index), key: agent.publicKey, host: agent.publicKey })));
  const verified = { preverified: () => true };
  const placeholder = [new Uint8Array(64)];
  let state = MemoryLedgerState.empty(params);
  const blocks: Block[] = [];
  let coins = minted.outpoints.map((outpoint, index) => ({ ...outpoint, amount: 1_000_000n + BigInt(index) }));
  for (let height = 0; height <= blockCount; height++) {
    const transactions: Transaction[] = [];
    const next: typeof coins = [];
    if (height === 0) transactions.push(...minted.transactions);
    else {
      for (let index = 0; index < transactionsPerBlock; index++) {
        const [first, second] = [coins[2 * index]!, coins[2 * index + 1]!];
        const half = (first.amount + second.amount - 1_000n) / 2n;
        const rest = first.amount + second.amount - 1_000n - half;
        const tx: Transaction = {
          version: 1,
          inputs: [first, second].map((coin) => ({ txHash: coin.txHash, index: coin.index })),
          outputs: [half, rest].map((amount) => ({ amount, key: agent.publicKey, host: agent.publicKey })),
          fee: 1_000n,
          commitment: null,
          actions: [],
          signatures: placeholder,
        };
        const txHash = transactionHash(tx);
        transactions.push(tx);
        next.push({ txHash, index: 0, amount: half }, { txHash, index: 1, amount: rest });
      }
      coins = next;
    }
    const proposal = proposeBlock(state, transactions, 1_000 + height, verified);
    if (proposal.rejected.length > 0) throw proposal.rejected[0]!.error;
    state = state.commit(proposal.changes);
    blocks.push(proposal.block);
  }
  // Both settings side by side, block by block, so a neighbour's load hits them alike.
  const directory = mkdtempSync(join(tmpdir(), 'parley-bench-ledger-'));
  try {
    const stores = (['FULL', 'NORMAL'] as const).map((synchronous) => ({
      store: SqliteLedgerStore.open(join(directory, `ledger-${synchronous}.sqlite`), params, { synchronous }),
      elapsedMs: 0,
    }));
    for (const [height, block] of blocks.entries()) {
      for (const entry of stores) {
        const start = performance.now();
        const result = entry.store.apply(block, verified);
        if (height > 0) entry.elapsedMs += performance.now() - start;
        if (!result.ok) throw result.error;
      }
    }
    for (const entry of stores) entry.store.close();
    const [full, normal] = stores.map((entry) => ({ blocksPerSec: (blockCount * 1000) / entry.elapsedMs }));
    return { transactionsPerBlock, full: full!, normal: normal! };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

type MerkleNumbers = { entries: number; proofVerifyPerSec: number; proofGeneratePerSec: number };

/** The Merkle author's benchmark, when it is there: proofs at 1M UTXOs (`--entries` to change). */
async function measureMerkle(args: readonly string[]): Promise<MerkleNumbers | undefined> {
  const path = new URL('./ledger-merkle.ts', import.meta.url);
  if (!existsSync(path)) return undefined;
  const module = (await import(path.href)) as { run?: (args: readonly string[]) => unknown };
  if (typeof module.run !== 'function') return undefined;
  const result = (await module.run(args)) as { entries?: number; proofVerifyPerSec?: number; smtProofGeneratePerSec?: number } | undefined;
  if (result?.proofVerifyPerSec === undefined) return undefined;
  return { entries: result.entries ?? 0, proofVerifyPerSec: Math.round(result.proofVerifyPerSec), proofGeneratePerSec: Math.round(result.smtProofGeneratePerSec ?? 0) };
}
