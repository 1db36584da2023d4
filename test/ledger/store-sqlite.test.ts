import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { bytesToHex } from '../../names/index.ts';
import { decodeOutpointStatus, outpointKey, verifyKeyEventsInHeader, verifyOutpointInHeader, verifyTransactionInHeader } from '../../agent/merkle/index.ts';
import { keySubject } from '../../agent/ledger/apply-events.ts';
import { applyBlock, proposeBlock } from '../../agent/ledger/apply-block.ts';
import { isLiveAgent } from '../../agent/ledger/state-stake.ts';
import { signTransaction } from '../../agent/ledger/tx-sign.ts';
import type { UnsignedTransaction } from '../../agent/ledger/tx-types.ts';
import { contentsDigest, memoryContents } from '../../agent/ledger/state-contents.ts';
import { MemoryLedgerState } from '../../agent/ledger/state-memory.ts';
import { sqliteContents } from '../../agent/ledger/store-contents.ts';
import { ledgerSchemaVersion } from '../../agent/ledger/store-schema.ts';
import { SqliteLedgerStore } from '../../agent/ledger/store-sqlite.ts';
import { transactionHash } from '../../agent/ledger/tx-hash.ts';
import { minimumFee, TestEconomy, zeroAux, type Signer } from './chain.ts';
import { parametersFromJson, type JsonParameters } from './vector-json.ts';

const directory = mkdtempSync(join(tmpdir(), 'parley-ledger-sqlite-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = (): string => join(directory, `ledger-${fileCount++}.sqlite`);

function buildChain(path: string, seed: number, blocks: number): { economy: TestEconomy; memory: MemoryLedgerState } {
  const economy = new TestEconomy(seed);
  const store = SqliteLedgerStore.open(path, economy.params);
  let memory = MemoryLedgerState.empty(economy.params);
  const step = (transactions: ReturnType<TestEconomy['payments']>): void => {
    const block = economy.block(memory, transactions);
    const inMemory = memory.apply(block);
    assert.ok(inMemory.ok);
    memory = inMemory.state;
    assert.ok(store.apply(block).ok);
  };
  step([economy.genesisTransaction()]);
  for (let index = 0; index < blocks; index++) step(economy.payments(2));
  store.close();
  return { economy, memory };
}

test('the file uses WAL with synchronous=FULL by default, at the current schema version', () => {
  const path = freshPath();
  const store = SqliteLedgerStore.open(path, new TestEconomy(1).params);
  assert.equal(store.database.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.database.pragma('synchronous', { simple: true }), 2); // FULL
  assert.equal(store.database.pragma('user_version', { simple: true }), ledgerSchemaVersion);
  store.close();
  const normal = SqliteLedgerStore.open(path, new TestEconomy(1).params, { synchronous: 'NORMAL' });
  assert.equal(normal.database.pragma('synchronous', { simple: true }), 1);
  normal.close();
});

test('closing and reopening keeps exactly the committed state', () => {
  const path = freshPath();
  const { economy, memory } = buildChain(path, 31, 6);
  const reopened = SqliteLedgerStore.open(path, economy.params);
  assert.deepEqual(sqliteContents(reopened), memoryContents(memory));
  // The reopened file continues the chain (the log-node counts come back from the tip).
  const block = economy.block(reopened, economy.payments(2));
  assert.ok(reopened.apply(block).ok);
  const next = memory.apply(block);
  assert.ok(next.ok);
  assert.deepEqual(sqliteContents(reopened), memoryContents(next.state));
  // The store's own proofs verify against its tip header.
  const header = reopened.tip()!.header;
  const last = block.transactions.at(-1)!;
  const included = reopened.proveTransaction(transactionHash(last))!;
  verifyTransactionInHeader(header, transactionHash(last), included.proof);
  const outpoint = { txHash: transactionHash(last), index: 0 };
  const { proof, value } = reopened.proveOutpoint(outpoint);
  verifyOutpointInHeader(header, outpointKey(outpoint.txHash, 0), decodeOutpointStatus(value!), proof);
  const subject = keySubject(last.outputs[0]!.key);
  const events = reopened.proveKeyEvents(subject);
  verifyKeyEventsInHeader(header, subject, events.events, events.proof);
  reopened.close();
});

test('a file for another chain, or from a newer schema, is refused', () => {
  const path = freshPath();
  buildChain(path, 32, 1);
  const other = { ...new TestEconomy(32).params, chainId: 'another-chain' };
  assert.throws(() => SqliteLedgerStore.open(path, other), { code: 'LEDGER_STORE_PARAMETERS_MISMATCH' });
  const raw = new Database(path);
  raw.pragma(`user_version = ${ledgerSchemaVersion + 1}`);
  raw.close();
  assert.throws(() => SqliteLedgerStore.open(path, new TestEconomy(32).params), { code: 'LEDGER_STORE_SCHEMA_TOO_NEW' });
});

test('a commit that fails half-way rolls back completely, and the store stays usable', () => {
  const path = freshPath();
  const { economy } = buildChain(path, 33, 3);
  const store = SqliteLedgerStore.open(path, economy.params);
  const before = contentsDigest(sqliteContents(store));
  const proposal = proposeBlock(store, economy.payments(3), economy.timeMs + 1000);
  // A planted row makes the last transaction's insert fail after the block row, the tip and the
  // earlier transactions have been written inside the commit's SQLite transaction.
  const last = proposal.changes.transactions.at(-1)!;
  store.database.prepare('INSERT INTO transactions (hash, height, position, log_index, bytes) VALUES (?, 999, 0, 999999, x\'00\')').run(last.txHash);
  const planted = contentsDigest(sqliteContents(store));
  assert.throws(() => store.commit(proposal.changes), /UNIQUE|constraint/i);
  assert.deepEqual(contentsDigest(sqliteContents(store)), planted, 'nothing of the block was written');
  store.database.prepare('DELETE FROM transactions WHERE hash = ?').run(last.txHash);
  assert.deepEqual(contentsDigest(sqliteContents(store)), before);
  store.commit(proposal.changes);
  assert.equal(store.tip()!.header.height, 4);
  // The transaction-log nodes are consistent after the rollback: proofs verify.
  const proof = store.proveTransaction(last.txHash)!;
  assert.equal(proof.proof.leafIndex, last.logIndex);
  store.close();
});

test('stale sparse-tree nodes are deleted unless history is kept', () => {
  const pruned = freshPath();
  const kept = freshPath();
  for (const [path, keepHistory] of [[pruned, false], [kept, true]] as const) {
    const economy = new TestEconomy(34);
    const store = SqliteLedgerStore.open(path, economy.params, { keepHistory, synchronous: 'NORMAL' });
    assert.ok(store.apply(economy.block(store, [economy.genesisTransaction()])).ok);
    const firstRoot = store.tip()!.header.outpointRoot;
    for (let index = 0; index < 4; index++) assert.ok(store.apply(economy.block(store, economy.payments(3))).ok);
    const hasOldRoot = store.database.prepare('SELECT 1 FROM outpoint_nodes WHERE hash = ?').get(firstRoot) !== undefined;
    assert.equal(hasOldRoot, keepHistory, `keepHistory=${keepHistory}`);
    store.close();
  }
});

test('frozen fixture: a schema v1 file written by the first version still opens and continues', () => {
  const expected = JSON.parse(readFileSync(new URL('./fixtures/ledger-v1.json', import.meta.url), 'utf8')) as {
    schemaVersion: number;
    parameters: JsonParameters;
    tipHeight: number;
    tipHeaderHash: string;
    contentsDigest: string;
  };
  // Work on a copy: opening writes the WAL and may migrate, and the fixture must stay as it is.
  const path = freshPath();
  copyFileSync(new URL('./fixtures/ledger-v1.sqlite', import.meta.url), path);
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('user_version', { simple: true }), expected.schemaVersion);
  raw.close();
  const params = parametersFromJson(expected.parameters);
  const store = SqliteLedgerStore.open(path, params);
  assert.equal(store.tip()!.header.height, expected.tipHeight);
  assert.equal(bytesToHex(store.tip()!.headerHash), expected.tipHeaderHash);
  assert.equal(bytesToHex(contentsDigest(sqliteContents(store))), expected.contentsDigest);
  assert.deepEqual(store.database.pragma('integrity_check', { simple: true }), 'ok');
  // It is a working ledger: an empty block applies on top of it.
  const next = proposeBlock(store, [], store.tip()!.header.timeMs + 1000);
  assert.ok(store.apply(next.block).ok);
  store.close();
});

test('cached reads follow commits: a transferred name retires its agent, a spent output reads as spent, a replay is a duplicate', () => {
  const economy = new TestEconomy(53);
  const store = SqliteLedgerStore.open(freshPath(), economy.params);
  assert.ok(store.apply(economy.block(store, [economy.genesisTransaction()])).ok);
  const [agent0, agent1] = economy.agents as [Signer, Signer];
  const coin = economy.coins.shift()!;
  // Reads fill the caches before the block that changes them.
  assert.ok(isLiveAgent(store, agent0.publicKey, 1));
  assert.equal(store.output(coin)?.spentHeight, null);
  const draft: UnsignedTransaction = { version: 1, inputs: [{ txHash: coin.txHash, index: coin.index }], outputs: [{ amount: 0n, key: coin.owner.publicKey, host: agent1.publicKey }], fee: 0n, commitment: null, actions: [{ kind: 'nameTransfer', name: 'agent0', owner: coin.owner.publicKey }] };
  const fee = minimumFee(economy.params, draft, 2);
  const transfer = signTransaction({ ...draft, fee, outputs: [{ ...draft.outputs[0]!, amount: coin.output.amount - fee }] }, economy.parametersHash, [coin.owner.secretKey, agent0.secretKey], zeroAux);
  assert.ok(store.apply(economy.block(store, [transfer])).ok);
  assert.deepEqual(store.name('agent0')?.owner, coin.owner.publicKey);
  assert.ok(!isLiveAgent(store, agent0.publicKey, 2));
  assert.equal(store.output(coin)?.spentHeight, 1);
  assert.equal(store.output({ txHash: transactionHash(transfer), index: 0 })?.spentHeight, null);
  // The agent hosts nothing new, and the same bytes again are a duplicate (inputs spent: the lookup runs).
  const next = economy.coins.shift()!;
  const toRetired = signTransaction({ version: 1, inputs: [{ txHash: next.txHash, index: next.index }], outputs: [{ amount: next.output.amount - 1_000n, key: next.owner.publicKey, host: agent0.publicKey }], fee: 1_000n, commitment: null, actions: [] }, economy.parametersHash, [next.owner.secretKey], zeroAux);
  economy.timeMs += 1000;
  const header = proposeBlock(store, [], economy.timeMs).block.header;
  const refused = applyBlock(store, { header, transactions: [toRetired] });
  assert.ok(!refused.ok && refused.error.code === 'LEDGER_UNKNOWN_HOST');
  const replay = applyBlock(store, { header, transactions: [transfer] });
  assert.ok(!replay.ok && replay.error.code === 'LEDGER_DUPLICATE_TRANSACTION');
  // A reopened file (empty caches) reads the same.
  store.close();
  const reopened = SqliteLedgerStore.open(store.database.name, economy.params);
  assert.ok(!isLiveAgent(reopened, agent0.publicKey, 2));
  assert.equal(reopened.output(coin)?.spentHeight, 1);
  reopened.close();
});
