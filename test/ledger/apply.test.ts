import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '../../names/index.ts';
import { proposeBlock } from '../../agent/ledger/apply-block.ts';
import { encodeBlock } from '../../agent/ledger/block-codec.ts';
import { chainParametersHash, devnetChainParameters, stakeSnapshotHeight } from '../../agent/ledger/block-params.ts';
import type { Block } from '../../agent/ledger/block-types.ts';
import { keySubject, nameSubject } from '../../agent/ledger/apply-events.ts';
import { MemoryLedgerState } from '../../agent/ledger/state-memory.ts';
import { isLiveAgent } from '../../agent/ledger/state-stake.ts';
import { signTransaction } from '../../agent/ledger/tx-sign.ts';
import { transactionHash, witnessHash } from '../../agent/ledger/tx-hash.ts';
import type { Action, Output, Transaction, UnsignedTransaction } from '../../agent/ledger/tx-types.ts';
import { minimumFee, signedSize, signerFrom, TestEconomy, zeroAux, type Coin, type Signer } from './chain.ts';

/** A chain after genesis: agents agent0/agent1, six wallets with two coins of 1,000,000 each. */
function setup(seed = 7): { economy: TestEconomy; state: MemoryLedgerState } {
  const economy = new TestEconomy(seed);
  const empty = MemoryLedgerState.empty(economy.params);
  const result = empty.apply(economy.block(empty, [economy.genesisTransaction()]));
  assert.ok(result.ok);
  return { economy, state: result.state };
}

type Draft = { outputs?: Output[]; fee?: bigint; actions?: Action[]; signers?: Signer[]; inputs?: Coin[]; commitment?: Uint8Array | null };

/** A transaction spending `coins`; by default the fee is the minimum and one output takes the rest. */
function spend(economy: TestEconomy, coins: Coin[], draft: Draft = {}): Transaction {
  const owners = draft.signers ?? [...new Map(coins.map((coin) => [bytesToHex(coin.owner.publicKey), coin.owner])).values()];
  const total = coins.reduce((sum, coin) => sum + coin.output.amount, 0n);
  const base: UnsignedTransaction = {
    version: 1,
    inputs: (draft.inputs ?? coins).map((coin) => ({ txHash: coin.txHash, index: coin.index })),
    outputs: draft.outputs ?? [{ amount: 0n, key: economy.wallets[0]!.publicKey, host: economy.agents[0]!.publicKey }],
    fee: 0n,
    commitment: draft.commitment ?? null,
    actions: draft.actions ?? [],
  };
  const fee = draft.fee ?? minimumFee(economy.params, base, owners.length);
  const outputs = draft.outputs ?? [{ ...base.outputs[0]!, amount: total - fee }];
  return signTransaction({ ...base, outputs, fee }, economy.parametersHash, owners.map((owner) => owner.secretKey), zeroAux);
}

function take(economy: TestEconomy, count = 1): Coin[] {
  return economy.coins.splice(0, count);
}

/** A block around transactions that may be invalid: the header is what an empty block would carry. */
function rawBlock(economy: TestEconomy, state: MemoryLedgerState, transactions: Transaction[]): Block {
  economy.timeMs += 1000;
  return { header: proposeBlock(state, [], economy.timeMs).block.header, transactions };
}

function expectFailure(state: MemoryLedgerState, block: Block, code: string, transactionIndex: number | null = 0): void {
  const result = state.apply(block);
  assert.equal(result.ok, false, `expected ${code}`);
  if (result.ok) return;
  assert.equal(result.error.code, code, result.error.message);
  assert.equal(result.transactionIndex, transactionIndex);
}

function applyValid(economy: TestEconomy, state: MemoryLedgerState, transactions: Transaction[]): MemoryLedgerState {
  const result = state.apply(economy.block(state, transactions));
  if (!result.ok) throw result.error;
  return result.state;
}

test('genesis mints, registers the agents, and captures the first stake snapshot', () => {
  const { economy, state } = setup();
  const tip = state.tip()!;
  assert.equal(tip.header.height, 0);
  assert.equal(tip.supply, 12_000_000n);
  assert.equal(tip.feesBurned, 0n);
  for (const agent of economy.agents) assert.ok(isLiveAgent(state, agent.publicKey, 0));
  const snapshot = state.stakeSnapshot(0)!;
  assert.equal(snapshot.entries.reduce((sum, entry) => sum + entry.stake, 0n), 12_000_000n);
  assert.deepEqual(snapshot.root, tip.header.stakeSnapshotRoot);
  assert.equal(state.name('agent0')!.expiresHeight, economy.params.nameLifetimeBlocks);
  assert.equal(state.eventLog(nameSubject('agent0'))!.count, 2, 'registered, then the agent registered under it');
});

test('a payment moves value and stake, burns the fee, and records events for both keys', () => {
  const { economy, state } = setup();
  const [coin] = take(economy);
  const payee = economy.wallets[5]!;
  const host = economy.agents[1]!.publicKey;
  const tx = spend(economy, [coin!], { outputs: [{ amount: 600_000n, key: payee.publicKey, host }, { amount: 399_000n, key: coin!.owner.publicKey, host }], fee: 1_000n });
  const stakeBefore = state.stake(host);
  const payeeEventsBefore = state.eventLog(keySubject(payee.publicKey))!.count;
  const after = applyValid(economy, state, [tx]);
  assert.equal(after.tip()!.supply, 12_000_000n - 1_000n);
  assert.equal(after.tip()!.feesBurned, 1_000n);
  assert.equal(after.output({ txHash: coin!.txHash, index: coin!.index })!.spentHeight, 1);
  assert.equal(after.output({ txHash: transactionHash(tx), index: 0 })!.output.amount, 600_000n);
  const moved = bytesToHex(coin!.output.host) === bytesToHex(host) ? 999_000n - 1_000_000n : 999_000n;
  assert.equal(after.stake(host), stakeBefore + moved);
  assert.equal(after.eventLog(keySubject(payee.publicKey))!.count, payeeEventsBefore + 1);
  // The old state is untouched: the in-memory state is a value.
  assert.equal(state.output({ txHash: coin!.txHash, index: coin!.index })!.spentHeight, null);
});

test('no double spend: across blocks, within a block, within a transaction', () => {
  const { economy, state } = setup();
  const [coin] = take(economy);
  const first = spend(economy, [coin!]);
  const after = applyValid(economy, state, [first]);
  expectFailure(after, rawBlock(economy, after, [spend(economy, [coin!], { outputs: [{ amount: 900_000n, key: coin!.owner.publicKey, host: coin!.output.host }], fee: 100_000n })]), 'LEDGER_DOUBLE_SPEND');
  const second = spend(economy, [coin!], { fee: 5_000n });
  expectFailure(state, rawBlock(economy, state, [first, second]), 'LEDGER_DOUBLE_SPEND', 1);
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!, coin!])]), 'LEDGER_DUPLICATE_INPUT');
});

test('inputs must exist; value must be conserved exactly', () => {
  const { economy, state } = setup();
  const [coin] = take(economy);
  const ghost: Coin = { ...coin!, txHash: new Uint8Array(32).fill(9) };
  expectFailure(state, rawBlock(economy, state, [spend(economy, [ghost])]), 'LEDGER_UNKNOWN_OUTPUT');
  const host = coin!.output.host;
  const key = coin!.owner.publicKey;
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { outputs: [{ amount: 990_000n, key, host }], fee: 5_000n })]), 'LEDGER_VALUE_NOT_CONSERVED');
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { outputs: [{ amount: 999_000n, key, host }], fee: 5_000n })]), 'LEDGER_VALUE_NOT_CONSERVED');
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { outputs: [{ amount: (1n << 64n) - 1n, key, host }], fee: 5_000n })]), 'LEDGER_AMOUNT_OVERFLOW');
});

test('fees, dust and keys are checked before any lookup', () => {
  const { economy, state } = setup();
  const [coin] = take(economy);
  const host = coin!.output.host;
  const key = coin!.owner.publicKey;
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { outputs: [{ amount: 999_990n, key, host }], fee: 10n })]), 'LEDGER_FEE_TOO_LOW');
  const dust = economy.params.outputAmountMin - 1n;
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { outputs: [{ amount: dust, key, host }, { amount: 1_000_000n - dust - 5_000n, key, host }], fee: 5_000n })]), 'LEDGER_DUST_OUTPUT');
  const notAPoint = new Uint8Array(32).fill(0xff); // x ≥ p
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { outputs: [{ amount: 995_000n, key: notAPoint, host }], fee: 5_000n })]), 'LEDGER_BAD_KEY');
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { outputs: [{ amount: 995_000n, key, host: key }], fee: 5_000n })]), 'LEDGER_UNKNOWN_HOST');
});

test('signatures: one per distinct authorizing key, bound to this chain', () => {
  const { economy, state } = setup();
  const [coin] = take(economy);
  const stranger = signerFrom(economy.rng);
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { signers: [stranger] })]), 'LEDGER_BAD_SIGNATURE');
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { signers: [] })]), 'LEDGER_SIGNATURE_COUNT');
  expectFailure(state, rawBlock(economy, state, [spend(economy, [coin!], { signers: [coin!.owner, coin!.owner] })]), 'LEDGER_SIGNATURE_COUNT');
  // Two coins of one wallet: one signature covers both.
  const sameOwner = economy.coins.filter((other) => bytesToHex(other.owner.publicKey) === bytesToHex(coin!.owner.publicKey));
  assert.ok(sameOwner.length >= 1);
  applyValid(economy, state, [spend(economy, [coin!, sameOwner[0]!])]);
  // Signed for another chain's parameters: the same bytes do not verify here.
  const unsigned = spend(economy, [coin!]);
  const elsewhere = signTransaction(unsigned, chainParametersHash({ ...economy.params, chainId: 'other-chain' }), [coin!.owner.secretKey], zeroAux);
  expectFailure(state, rawBlock(economy, state, [elsewhere]), 'LEDGER_BAD_SIGNATURE');
});

test('preverified skips signature and key checks only for the exact transaction it names (witness hash)', () => {
  const { economy, state } = setup();
  const [coin] = take(economy);
  const forged = spend(economy, [coin!], { signers: [signerFrom(economy.rng)] });
  const block = rawBlock(economy, state, [forged]);
  const proposal = proposeBlock(state, [forged], economy.timeMs, { preverified: (hash) => bytesToHex(hash) === bytesToHex(witnessHash(forged)) });
  assert.equal(proposal.rejected.length, 0, 'the cache is trusted: it is the mempool that verified');
  const result = state.apply(proposal.block, { preverified: (hash) => bytesToHex(hash) === bytesToHex(witnessHash(forged)) });
  assert.ok(result.ok);
  expectFailure(state, block, 'LEDGER_BAD_SIGNATURE');
});

test('after genesis every transaction spends something; genesis only mints', () => {
  const { economy, state } = setup();
  const mint = signTransaction(
    { version: 1, inputs: [], outputs: [{ amount: 1000n, key: economy.wallets[0]!.publicKey, host: economy.agents[0]!.publicKey }], fee: 0n, commitment: null, actions: [] },
    economy.parametersHash,
    [],
  );
  expectFailure(state, rawBlock(economy, state, [mint]), 'LEDGER_NO_INPUTS');
  const fresh = new TestEconomy(8);
  const empty = MemoryLedgerState.empty(fresh.params);
  const genesis = fresh.genesisTransaction();
  expectFailure(empty, rawBlock(fresh, empty, [{ ...genesis, fee: 1n }]), 'LEDGER_BAD_GENESIS');
  expectFailure(empty, rawBlock(fresh, empty, [{ ...genesis, inputs: [{ txHash: new Uint8Array(32), index: 0 }] }]), 'LEDGER_BAD_GENESIS');
  expectFailure(empty, rawBlock(fresh, empty, [genesis, genesis]), 'LEDGER_DUPLICATE_TRANSACTION', 1);
  const huge = { ...mint, outputs: [{ ...mint.outputs[0]!, amount: (1n << 64n) - 1n }, { ...mint.outputs[0]!, amount: 1000n }] };
  expectFailure(empty, rawBlock(fresh, empty, [genesis, huge]), 'LEDGER_AMOUNT_OVERFLOW', 1);
});

test('names: first come, renew, transfer, expiry', () => {
  const { economy, state } = setup();
  const [alice, bob] = [economy.wallets[0]!, economy.wallets[1]!];
  const coinOf = (signer: Signer): Coin => {
    const index = economy.coins.findIndex((coin) => bytesToHex(coin.owner.publicKey) === bytesToHex(signer.publicKey));
    return economy.coins.splice(index, 1)[0]!;
  };
  /** For transactions that must fail: the coin stays available. */
  const peekCoin = (signer: Signer): Coin => economy.coins.find((coin) => bytesToHex(coin.owner.publicKey) === bytesToHex(signer.publicKey))!;
  const register = spend(economy, [coinOf(alice)], { actions: [{ kind: 'nameRegister', name: 'alice', owner: alice.publicKey }], signers: [alice] });
  let current = applyValid(economy, state, [register]);
  assert.deepEqual(current.name('alice')!.owner, alice.publicKey);
  // Bob cannot take it, even signing for the owner he names.
  const grab = spend(economy, [peekCoin(bob)], { actions: [{ kind: 'nameRegister', name: 'alice', owner: bob.publicKey }], signers: [bob] });
  expectFailure(current, rawBlock(economy, current, [grab]), 'LEDGER_NAME_TAKEN');
  // A registration is signed by the owner it names, so nobody registers a name to someone else's key.
  const gift = spend(economy, [peekCoin(bob)], { actions: [{ kind: 'nameRegister', name: 'bobs-gift', owner: alice.publicKey }], signers: [bob] });
  expectFailure(current, rawBlock(economy, current, [gift]), 'LEDGER_SIGNATURE_COUNT');
  // Only the owner renews or transfers.
  const hijack = spend(economy, [peekCoin(bob)], { actions: [{ kind: 'nameTransfer', name: 'alice', owner: bob.publicKey }], signers: [bob] });
  expectFailure(current, rawBlock(economy, current, [hijack]), 'LEDGER_SIGNATURE_COUNT');
  const hijackSigned = spend(economy, [peekCoin(bob)], { actions: [{ kind: 'nameTransfer', name: 'alice', owner: bob.publicKey }], signers: [bob, signerFrom(economy.rng)] });
  expectFailure(current, rawBlock(economy, current, [hijackSigned]), 'LEDGER_BAD_SIGNATURE');
  const renew = spend(economy, [coinOf(alice)], { actions: [{ kind: 'nameRenew', name: 'alice' }], signers: [alice] });
  current = applyValid(economy, current, [renew]);
  assert.equal(current.name('alice')!.expiresHeight, 2 + economy.params.nameLifetimeBlocks);
  const transfer = spend(economy, [coinOf(bob)], { actions: [{ kind: 'nameTransfer', name: 'alice', owner: bob.publicKey }], signers: [bob, alice] });
  current = applyValid(economy, current, [transfer]);
  assert.deepEqual(current.name('alice')!.owner, bob.publicKey);
  assert.equal(current.eventLog(nameSubject('alice'))!.count, 3);
  expectFailure(current, rawBlock(economy, current, [spend(economy, [peekCoin(bob)], { actions: [{ kind: 'nameRenew', name: 'nobody' }], signers: [bob] })]), 'LEDGER_NAME_NOT_FOUND');
  expectFailure(current, rawBlock(economy, current, [spend(economy, [peekCoin(bob)], { actions: [{ kind: 'nameRegister', name: 'Alice', owner: bob.publicKey }], signers: [bob] })]), 'LEDGER_BAD_NAME');
  // An action costs actionFeeMin on top of the per-byte fee.
  const coin = peekCoin(bob);
  const action: Action = { kind: 'nameRegister', name: 'cheap', owner: bob.publicKey };
  const probe = spend(economy, [coin], { actions: [action], signers: [bob] });
  const bytesOnly = economy.params.feePerByteMin * BigInt(signedSize(probe, 1));
  const cheap = spend(economy, [coin], { actions: [action], signers: [bob], fee: bytesOnly, outputs: [{ amount: coin.output.amount - bytesOnly, key: bob.publicKey, host: coin.output.host }] });
  expectFailure(current, rawBlock(economy, current, [cheap]), 'LEDGER_FEE_TOO_LOW');
});

test('a name expires after nameLifetimeBlocks and is then free for anyone', () => {
  const params = { ...devnetChainParameters, chainId: 'short-names', nameLifetimeBlocks: 3, outputAmountMin: 100n, actionFeeMin: 50n };
  const economy = new TestEconomy(9, params);
  let state = MemoryLedgerState.empty(params);
  state = applyValid(economy, state, [economy.genesisTransaction()]);
  // agent names registered at 0 are live through height 2; at height 3 their agents retire.
  state = applyValid(economy, state, []);
  state = applyValid(economy, state, []);
  assert.ok(isLiveAgent(state, economy.agents[0]!.publicKey, 2));
  assert.ok(!isLiveAgent(state, economy.agents[0]!.publicKey, 3));
  // Every agent has retired, so the newcomer registers itself as an agent to host its change.
  const coin = economy.coins.shift()!;
  const endpoint = { family: 4 as const, address: Uint8Array.of(10, 9, 9, 9), port: 9 };
  const squat = spend(economy, [coin], {
    actions: [{ kind: 'nameRegister', name: 'agent0', owner: coin.owner.publicKey }, { kind: 'agentRegister', name: 'agent0', key: coin.owner.publicKey, endpoint }],
    outputs: [{ amount: coin.output.amount - 10_000n, key: coin.owner.publicKey, host: coin.owner.publicKey }],
    fee: 10_000n,
  });
  state = applyValid(economy, state, [squat]);
  assert.deepEqual(state.name('agent0')!.owner, coin.owner.publicKey);
  // Retired agents host nothing new.
  const next = economy.coins.shift()!;
  const toRetired = spend(economy, [next], { outputs: [{ amount: 990_000n, key: next.owner.publicKey, host: economy.agents[1]!.publicKey }], fee: 10_000n });
  expectFailure(state, rawBlock(economy, state, [toRetired]), 'LEDGER_UNKNOWN_HOST');
});

test('agents: registered under a name their key owns; retired when the name moves', () => {
  const { economy, state } = setup();
  const newAgent = signerFrom(economy.rng);
  const payer = economy.coins.shift()!;
  const endpoint = { family: 6 as const, address: Uint8Array.from({ length: 16 }, (_, index) => index + 1), port: 5000 };
  const wrongOwner = spend(economy, [payer], { actions: [{ kind: 'agentRegister', name: 'agent0', key: newAgent.publicKey, endpoint }], signers: [payer.owner, newAgent] });
  expectFailure(state, rawBlock(economy, state, [wrongOwner]), 'LEDGER_NOT_NAME_OWNER');
  const unnamed = spend(economy, [payer], { actions: [{ kind: 'agentRegister', name: 'newcomer', key: newAgent.publicKey, endpoint }], signers: [payer.owner, newAgent] });
  expectFailure(state, rawBlock(economy, state, [unnamed]), 'LEDGER_NAME_NOT_FOUND');
  const badEndpoint = spend(economy, [payer], {
    actions: [{ kind: 'nameRegister', name: 'newcomer', owner: newAgent.publicKey }, { kind: 'agentRegister', name: 'newcomer', key: newAgent.publicKey, endpoint: { ...endpoint, port: 0 } }],
    signers: [payer.owner, newAgent],
  });
  expectFailure(state, rawBlock(economy, state, [badEndpoint]), 'LEDGER_BAD_ENDPOINT');
  const mappedAddress = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1);
  const mapped = spend(economy, [payer], {
    actions: [{ kind: 'nameRegister', name: 'newcomer', owner: newAgent.publicKey }, { kind: 'agentRegister', name: 'newcomer', key: newAgent.publicKey, endpoint: { ...endpoint, address: mappedAddress } }],
    signers: [payer.owner, newAgent],
  });
  expectFailure(state, rawBlock(economy, state, [mapped]), 'LEDGER_BAD_ENDPOINT');
  // Name and agent in one transaction, and an output hosted with the new agent in the same one.
  const total = payer.output.amount;
  const draft = spend(economy, [payer], {
    actions: [{ kind: 'nameRegister', name: 'newcomer', owner: newAgent.publicKey }, { kind: 'agentRegister', name: 'newcomer', key: newAgent.publicKey, endpoint }],
    signers: [payer.owner, newAgent],
    fee: 10_000n,
    outputs: [{ amount: total - 10_000n, key: payer.owner.publicKey, host: newAgent.publicKey }],
  });
  let current = applyValid(economy, state, [draft]);
  assert.ok(isLiveAgent(current, newAgent.publicKey, 1));
  assert.equal(current.stake(newAgent.publicKey), total - 10_000n);
  assert.deepEqual(current.agent(newAgent.publicKey)!.endpoint, endpoint);
  // Transferring the name retires the agent: it leaves the next snapshot.
  const feeCoin = { txHash: transactionHash(draft), index: 0, output: draft.outputs[0]!, owner: payer.owner };
  const transfer = spend(economy, [feeCoin], { actions: [{ kind: 'nameTransfer', name: 'newcomer', owner: payer.owner.publicKey }], signers: [payer.owner, newAgent] });
  current = applyValid(economy, current, [transfer]);
  assert.ok(!isLiveAgent(current, newAgent.publicKey, 2));
  while (current.tip()!.header.height < 8) current = applyValid(economy, current, []);
  const snapshot = current.stakeSnapshot(8)!;
  assert.ok(!snapshot.entries.some((entry) => bytesToHex(entry.key) === bytesToHex(newAgent.publicKey)));
});

test('stake snapshots: captured every interval, committed from ⌊(h − delay)/interval⌋·interval', () => {
  const { economy, state } = setup();
  let current = state;
  for (let height = 1; height <= 12; height++) {
    current = applyValid(economy, current, economy.payments(1));
    const header = current.tip()!.header;
    const wanted = stakeSnapshotHeight(economy.params, height);
    assert.deepEqual(header.stakeSnapshotRoot, current.stakeSnapshot(wanted)!.root, `height ${height} uses snapshot ${wanted}`);
  }
  assert.equal(stakeSnapshotHeight(economy.params, 9), 0);
  assert.equal(stakeSnapshotHeight(economy.params, 10), 8);
  assert.ok(current.stakeSnapshot(8) !== undefined && current.stakeSnapshot(4) === undefined);
});

test('block rules: parameters, height, previous hash, time, roots, size', () => {
  const { economy, state } = setup();
  const valid = economy.block(state, [spend(economy, take(economy)), spend(economy, take(economy))]);
  assert.ok(state.apply(valid).ok);
  const withHeader = (change: Partial<Block['header']>): Block => ({ ...valid, header: { ...valid.header, ...change } });
  expectFailure(state, withHeader({ parametersHash: new Uint8Array(32) }), 'LEDGER_BAD_PARAMETERS', null);
  expectFailure(state, withHeader({ height: 2 }), 'LEDGER_BAD_HEIGHT', null);
  expectFailure(state, withHeader({ previousHash: new Uint8Array(32) }), 'LEDGER_BAD_PREVIOUS_HASH', null);
  expectFailure(state, withHeader({ timeMs: state.tip()!.header.timeMs }), 'LEDGER_BAD_TIME', null);
  for (const field of ['transactionLogRoot', 'outpointRoot', 'keyEventRoot', 'stakeSnapshotRoot'] as const) {
    expectFailure(state, withHeader({ [field]: new Uint8Array(32).fill(1) }), 'LEDGER_BAD_ROOT', null);
  }
  expectFailure(state, withHeader({ transactionCount: valid.header.transactionCount + 1 }), 'LEDGER_BAD_ROOT', null);
  expectFailure(state, { ...valid, transactions: [valid.transactions[1]!, valid.transactions[0]!] }, 'LEDGER_BAD_ROOT', null);
  const small = MemoryLedgerState.empty({ ...economy.params, blockTransactionsMax: 1 });
  const fresh = new TestEconomy(7, { ...economy.params, blockTransactionsMax: 1 });
  expectFailure(small, rawBlock(fresh, small, [fresh.genesisTransaction(), fresh.genesisTransaction()]), 'LEDGER_BLOCK_TOO_LARGE', null);
  assert.ok(encodeBlock(valid).length > 0);
});

test('proposeBlock leaves out what would fail and keeps the rest in order', () => {
  const { economy, state } = setup();
  const [good1, good2] = economy.payments(2);
  const [coin] = take(economy);
  const bad = spend(economy, [coin!], { signers: [signerFrom(economy.rng)] });
  const proposal = proposeBlock(state, [good1!, bad, good2!, good1!], economy.timeMs + 1000);
  assert.deepEqual(proposal.block.transactions, [good1, good2]);
  assert.deepEqual(proposal.rejected.map((entry) => [entry.index, entry.error.code]), [[1, 'LEDGER_BAD_SIGNATURE'], [3, 'LEDGER_DUPLICATE_TRANSACTION']]);
  assert.ok(state.apply(proposal.block).ok);
  assert.throws(() => proposeBlock(state, [], state.tip()!.header.timeMs), { code: 'LEDGER_BAD_TIME' });
});
