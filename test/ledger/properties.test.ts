import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex } from '../../names/index.ts';
import { AgentError, agentErrorCodes } from '../../agent/errors.ts';
import { decodeBlock, encodeBlock, headerHash } from '../../agent/ledger/block-codec.ts';
import type { Block } from '../../agent/ledger/block-types.ts';
import { MemoryLedgerState } from '../../agent/ledger/state-memory.ts';
import { outpointId } from '../../agent/ledger/tx-hash.ts';
import { signTransaction } from '../../agent/ledger/tx-sign.ts';
import { TestEconomy, zeroAux } from './chain.ts';
import { memoryStoreKind, sqliteStoreKind } from './stores.ts';

/**
 * Properties over random chains: each run draws a seed (the economy replays from it) and a
 * shape (blocks, transactions per block). A failure prints the seed and the path to replay it.
 */
const chainShape = fc.record({ seed: fc.integer({ min: 1, max: 2 ** 31 }), blocks: fc.integer({ min: 1, max: 6 }), perBlock: fc.integer({ min: 0, max: 4 }) });

function randomChain(seed: number, blocks: number, perBlock: number): { economy: TestEconomy; chain: Block[]; states: MemoryLedgerState[] } {
  const economy = new TestEconomy(seed, undefined, 2, 4);
  let state = MemoryLedgerState.empty(economy.params);
  const chain: Block[] = [];
  const states: MemoryLedgerState[] = [];
  for (let height = 0; height <= blocks; height++) {
    const transactions = height === 0 ? [economy.genesisTransaction()] : economy.payments(economy.rng.below(perBlock + 1));
    const block = economy.block(state, transactions);
    const result = state.apply(block);
    if (!result.ok) throw result.error;
    state = result.state;
    chain.push(block);
    states.push(state);
  }
  return { economy, chain, states };
}

test('property: value is conserved — unspent sum = supply = total stake; supply + fees burned = minted', () => {
  fc.assert(
    fc.property(chainShape, ({ seed, blocks, perBlock }) => {
      const { states } = randomChain(seed, blocks, perBlock);
      const minted = states[0]!.tip()!.supply;
      for (const state of states) {
        const tip = state.tip()!;
        const tables = state.tables();
        const unspent = [...tables.outputs.values()].filter((record) => record.spentHeight === null);
        assert.equal(unspent.reduce((sum, record) => sum + record.output.amount, 0n), tip.supply);
        assert.equal([...tables.stakes.values()].reduce((sum, stake) => sum + stake, 0n), tip.supply);
        assert.equal(tip.supply + tip.feesBurned, minted);
      }
    }),
    { numRuns: 10 },
  );
});

test('property: no output is spent twice, and spending a spent output again is refused', () => {
  fc.assert(
    fc.property(chainShape, ({ seed, blocks, perBlock }) => {
      const { economy, chain, states } = randomChain(seed, blocks, Math.max(1, perBlock));
      const spentBy = new Map<string, number>();
      for (const block of chain) {
        for (const tx of block.transactions) {
          for (const input of tx.inputs) {
            assert.ok(!spentBy.has(outpointId(input)), `${outpointId(input)} spent twice`);
            spentBy.set(outpointId(input), block.header.height);
          }
        }
      }
      const final = states.at(-1)!;
      for (const [id, height] of spentBy) {
        const record = [...final.tables().outputs.values()].find((candidate) => outpointId(candidate.outpoint) === id)!;
        assert.equal(record.spentHeight, height);
      }
      // Replay one spent output in a fresh, correctly signed transaction.
      const spentRecord = [...final.tables().outputs.values()].find((record) => record.spentHeight !== null);
      if (spentRecord === undefined) return;
      const owner = economy.wallets.find((wallet) => bytesToHex(wallet.publicKey) === bytesToHex(spentRecord.output.key))!;
      const replay = signTransaction(
        {
          version: 1,
          inputs: [spentRecord.outpoint],
          outputs: [{ amount: spentRecord.output.amount - 10_000n, key: owner.publicKey, host: spentRecord.output.host }],
          fee: 10_000n,
          commitment: null,
          actions: [],
        },
        economy.parametersHash,
        [owner.secretKey],
        zeroAux,
      );
      economy.timeMs += 1000;
      const header = economy.block(final, []).header;
      const result = final.apply({ header, transactions: [replay] });
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.code, 'LEDGER_DOUBLE_SPEND');
    }),
    { numRuns: 10 },
  );
});

test('property: any flipped bit of a block is refused — except in the time, where the header hash changes', () => {
  const { chain, states } = randomChain(77, 3, 3);
  const parent = states.at(-2)!;
  const block = chain.at(-1)!;
  assert.ok(block.transactions.length > 0);
  const bytes = encodeBlock(block);
  const timeOffset = 1 + 32 + 8 + 32; // version, parametersHash, height, previousHash
  fc.assert(
    fc.property(fc.nat({ max: bytes.length * 8 - 1 }), (bit) => {
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      let tampered: Block;
      try {
        tampered = decodeBlock(flipped);
      } catch (error) {
        assert.ok(error instanceof AgentError && agentErrorCodes.has(error.code));
        return;
      }
      const result = parent.apply(tampered);
      const byte = bit >> 3;
      if (byte >= timeOffset && byte < timeOffset + 8 && result.ok) {
        // Time is the proposer's claim; consensus certifies the header hash, and this one differs.
        assert.notEqual(bytesToHex(headerHash(tampered.header)), bytesToHex(headerHash(block.header)));
        return;
      }
      assert.equal(result.ok, false, `bit ${bit} (byte ${byte}) went unnoticed`);
    }),
    { numRuns: 400 },
  );
});

test('property: the same random blocks give the same state in memory and in SQLite', () => {
  const sqlite = sqliteStoreKind({ synchronous: 'NORMAL' });
  fc.assert(
    fc.property(chainShape, ({ seed, blocks, perBlock }) => {
      const { chain, economy } = randomChain(seed, blocks, perBlock);
      const stores = [memoryStoreKind.open(economy.params), sqlite.open(economy.params)];
      try {
        for (const block of chain) {
          for (const store of stores) assert.ok(store.apply(block).ok);
          assert.deepEqual(stores[1]!.tip()!.header, stores[0]!.tip()!.header);
        }
        assert.deepEqual(stores[1]!.contents(), stores[0]!.contents());
      } finally {
        for (const store of stores) store.close();
      }
    }),
    { numRuns: 8 },
  );
});
