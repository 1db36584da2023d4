import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeKeyEventsSummary,
  decodeOutpointStatus,
  LogFrontier,
  MerkleLog,
  outpointKey,
  proveSparse,
  verifyKeyEventsInHeader,
  verifyOutpointInHeader,
  verifyTransactionInHeader,
} from '../../agent/merkle/index.ts';
import { keySubject, nameSubject } from '../../agent/ledger/apply-events.ts';
import { contentsDigest } from '../../agent/ledger/state-contents.ts';
import { outputHash } from '../../agent/ledger/tx-hash.ts';
import { TestEconomy } from './chain.ts';
import { storeKinds, type StoreUnderTest } from './stores.ts';

/**
 * The compliance suite (STYLE 11): every test runs against the in-memory store and the SQLite
 * store, and both must give the same answers.
 */
function withChain(open: () => StoreUnderTest, blocks: number, seed = 21): { store: StoreUnderTest; economy: TestEconomy } {
  const economy = new TestEconomy(seed);
  const store = open();
  const genesis = store.apply(economy.block(store, [economy.genesisTransaction()]));
  assert.ok(genesis.ok);
  for (let index = 0; index < blocks; index++) {
    const result = store.apply(economy.block(store, economy.payments(3)));
    if (!result.ok) throw result.error;
  }
  return { store, economy };
}

for (const kind of storeKinds) {
  describe(`ledger store compliance: ${kind.name}`, () => {
    test('an empty store knows nothing', () => {
      const store = kind.open(new TestEconomy(1).params);
      try {
        assert.equal(store.tip(), null);
        assert.equal(store.output({ txHash: new Uint8Array(32), index: 0 }), undefined);
        assert.equal(store.name('alice'), undefined);
        assert.equal(store.agent(new Uint8Array(32)), undefined);
        assert.deepEqual(store.agents(), []);
        assert.equal(store.stake(new Uint8Array(32)), 0n);
        assert.equal(store.stakeSnapshot(0), undefined);
        assert.equal(store.eventLog(new Uint8Array(32)), undefined);
        assert.deepEqual(store.events(new Uint8Array(32)), []);
        assert.equal(store.header(0), undefined);
        assert.equal(store.hasTransaction(new Uint8Array(32)), false);
      } finally {
        store.close();
      }
    });

    test('lookups after genesis and payments', () => {
      const { store, economy } = withChain(() => kind.open(new TestEconomy(21).params), 10);
      try {
        const tip = store.tip()!;
        assert.equal(tip.header.height, 10);
        assert.deepEqual(store.header(10), tip.header);
        assert.equal(store.agents().length, 2);
        assert.equal(store.name('agent1')!.registeredHeight, 0);
        const unspent = store.contents().outputs.filter((record) => record.spentHeight === null);
        assert.equal(unspent.reduce((sum, record) => sum + record.output.amount, 0n), tip.supply);
        const stakeTotal = economy.agents.reduce((sum, agent) => sum + store.stake(agent.publicKey), 0n);
        assert.equal(stakeTotal, tip.supply);
        for (const coin of economy.coins.slice(0, 5)) {
          const record = store.output({ txHash: coin.txHash, index: coin.index })!;
          assert.deepEqual(record.output, coin.output);
          assert.ok(store.hasTransaction(coin.txHash));
          assert.equal(store.transaction(coin.txHash)!.height, record.createdHeight);
        }
        assert.ok(store.stakeSnapshot(8) !== undefined);
      } finally {
        store.close();
      }
    });

    test('a failed block changes nothing', () => {
      const { store, economy } = withChain(() => kind.open(new TestEconomy(21).params), 3);
      try {
        const before = contentsDigest(store.contents());
        const block = economy.block(store, economy.payments(2));
        const tampered = { ...block, header: { ...block.header, outpointRoot: new Uint8Array(32) } };
        const result = store.apply(tampered);
        assert.equal(result.ok, false);
        assert.deepEqual(contentsDigest(store.contents()), before);
        assert.ok(store.apply(block).ok, 'the untampered block still applies');
      } finally {
        store.close();
      }
    });

    test('every answer is provable against the tip header (light-client checks)', () => {
      const { store, economy } = withChain(() => kind.open(new TestEconomy(22).params), 6, 22);
      try {
        const header = store.tip()!.header;
        // An unspent output, a spent one, and one that never existed.
        const contents = store.contents();
        const spent = contents.outputs.find((record) => record.spentHeight !== null)!;
        const unspent = contents.outputs.find((record) => record.spentHeight === null)!;
        for (const record of [spent, unspent]) {
          const key = outpointKey(record.outpoint.txHash, record.outpoint.index);
          const { proof, value } = proveSparse(store.sparseNodes('outpoint'), header.outpointRoot, key);
          const status = decodeOutpointStatus(value!);
          assert.deepEqual(status.outputHash, outputHash(record.output));
          assert.equal(status.state, record.spentHeight === null ? 'unspent' : 'spent');
          verifyOutpointInHeader(header, key, status, proof);
        }
        const missing = outpointKey(new Uint8Array(32).fill(7), 0);
        verifyOutpointInHeader(header, missing, null, proveSparse(store.sparseNodes('outpoint'), header.outpointRoot, missing).proof);
        // All events of a wallet key and of a name; withholding one is caught.
        for (const subject of [keySubject(economy.wallets[0]!.publicKey), nameSubject('agent0')]) {
          const events = store.events(subject);
          const { proof, value } = proveSparse(store.sparseNodes('keyEvent'), header.keyEventRoot, subject);
          assert.equal(decodeKeyEventsSummary(value!).eventCount, events.length);
          const log = store.eventLog(subject)!;
          assert.deepEqual(LogFrontier.fromLeafData(events).root(), LogFrontier.fromPeaks(log.count, log.peaks).root());
          verifyKeyEventsInHeader(header, subject, events, proof);
          assert.throws(() => verifyKeyEventsInHeader(header, subject, events.slice(1), proof), { code: 'MERKLE_EVENTS_INCOMPLETE' });
        }
        // A transaction in the log: rebuild the log from the committed order.
        const log = new MerkleLog();
        for (const record of contents.transactions) log.appendData(record.txHash);
        assert.deepEqual(log.root(), header.transactionLogRoot);
        const chosen = contents.transactions[3]!;
        verifyTransactionInHeader(header, chosen.txHash, { leafIndex: chosen.logIndex, treeSize: log.size, path: log.inclusionPath(chosen.logIndex) });
      } finally {
        store.close();
      }
    });
  });
}

test('compliance: both stores hold the same contents after the same blocks', () => {
  const [memory, sqlite] = storeKinds.map((kind) => withChain(() => kind.open(new TestEconomy(23).params), 12, 23).store);
  try {
    assert.deepEqual(sqlite!.contents(), memory!.contents());
  } finally {
    memory!.close();
    sqlite!.close();
  }
});
