import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, ParleyError, sha256 } from '../../names/index.ts';
import { Mempool, type AdmissionCheck, type Admitted } from '../../agent/consensus/index.ts';

/**
 * The mempool: a transaction's signatures are verified once (on admission), duplicates and
 * remembered rejections cost a hash, limits hold, and a full pool only takes a better payer.
 * The admission check here is a stand-in: "tx:<fee>:<spends,…>:<ok|bad>:<padding>".
 */

class FakeLedger implements AdmissionCheck {
  admitted = 0;
  key(transaction: Uint8Array): Uint8Array {
    return sha256(transaction);
  }
  admit(transaction: Uint8Array): Admitted | ParleyError {
    this.admitted++;
    const [, fee, spends, verdict] = new TextDecoder().decode(transaction).split(':');
    if (verdict !== 'ok') return new ParleyError('LEDGER_BAD_SIGNATURE', 'bad signature');
    return { fee: BigInt(fee!), spends: spends === '' ? [] : spends!.split(',') };
  }
}

const tx = (fee: number, spends: string[], verdict = 'ok', padding = 0): Uint8Array => new TextEncoder().encode(`tx:${fee}:${spends.join(',')}:${verdict}:${'x'.repeat(padding)}`);

test('signatures are verified once per distinct transaction; repeats and known-bad ones cost a hash', () => {
  const ledger = new FakeLedger();
  const pool = new Mempool(ledger);
  const good = tx(10, ['a/0']);
  assert.ok(pool.add(good).ok);
  const again = pool.add(good);
  assert.ok(!again.ok && again.error.code === 'CONSENSUS_MEMPOOL_DUPLICATE');
  const bad = tx(10, ['b/0'], 'bad');
  for (let attempt = 0; attempt < 5; attempt++) {
    const result = pool.add(bad);
    assert.ok(!result.ok && result.error.code === 'CONSENSUS_MEMPOOL_REJECTED');
  }
  assert.equal(ledger.admitted, 2, 'one verification for the good one, one for the bad one');
  assert.ok(pool.isVerified(good));
  assert.ok(!pool.isVerified(bad));
});

test('size limit is checked before anything else; double spends within the pool are refused', () => {
  const ledger = new FakeLedger();
  const pool = new Mempool(ledger, { transactionsMax: 10, bytesMax: 10_000, transactionBytesMax: 64 });
  const large = pool.add(tx(99, ['z:0'], 'ok', 100));
  assert.ok(!large.ok && large.error.code === 'CONSENSUS_MEMPOOL_TOO_LARGE');
  assert.equal(ledger.admitted, 0);
  assert.ok(pool.add(tx(5, ['a/0', 'a/1'])).ok);
  const doubleSpend = pool.add(tx(50, ['a/1']));
  assert.ok(!doubleSpend.ok && doubleSpend.error.code === 'CONSENSUS_MEMPOOL_REJECTED');
});

test('a full pool evicts the lowest fee per byte for a better payer, and refuses a worse one', () => {
  const pool = new Mempool(new FakeLedger(), { transactionsMax: 3, bytesMax: 10_000, transactionBytesMax: 1000 });
  const [cheap, middle, rich] = [tx(1, ['a/0']), tx(5, ['b/0']), tx(9, ['c/0'])];
  for (const item of [middle, cheap, rich]) assert.ok(pool.add(item).ok);
  const worse = pool.add(tx(1, ['d/0']));
  assert.ok(!worse.ok && worse.error.code === 'CONSENSUS_MEMPOOL_FULL', 'equal to the cheapest is not better');
  const better = pool.add(tx(7, ['e/0']));
  assert.ok(better.ok);
  assert.deepEqual(better.evicted, [bytesToHex(sha256(cheap))]);
  assert.equal(pool.size, 3);
  // Bytes are a limit too: a big transaction needs room by bytes.
  const byBytes = new Mempool(new FakeLedger(), { transactionsMax: 100, bytesMax: 60, transactionBytesMax: 1000 });
  assert.ok(byBytes.add(tx(1, ['f/0'], 'ok', 20)).ok);
  assert.ok(byBytes.add(tx(100, ['g/0'], 'ok', 20)).ok, 'evicts the first by fee per byte');
  assert.equal(byBytes.size, 1);
  assert.ok(byBytes.bytes <= 60);
});

test('select takes the best payers within the block limits; committed transactions and their conflicts leave', () => {
  const pool = new Mempool(new FakeLedger());
  const items = [tx(3, ['a/0']), tx(8, ['b/0']), tx(1, ['c/0']), tx(8, ['d/0'], 'ok', 50)];
  for (const item of items) assert.ok(pool.add(item).ok);
  const chosen = pool.select({ transactionsMax: 2, bytesMax: 1_000_000 });
  // Per byte: fee 8 in 16 bytes, then fee 3 in 16, then fee 8 in 66 (padded), then fee 1.
  assert.deepEqual(chosen, [items[1], items[0]]);
  const small = pool.select({ transactionsMax: 10, bytesMax: 40 });
  assert.ok(small.reduce((sum, item) => sum + item.length, 0) <= 40);
  pool.removeCommitted([items[1]!], ['c/0']);
  assert.equal(pool.size, 2, 'the committed one and the one spending c:0 are gone');
  assert.ok(!pool.isVerified(items[2]!));
});
