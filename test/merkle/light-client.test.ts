import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  AgentError,
  LogFrontier,
  MerkleLog,
  SparseMerkleTree,
  decodeKeyEventsSummary,
  decodeOutpointStatus,
  emptyLogRoot,
  encodeKeyEventsSummary,
  encodeOutpointStatus,
  keyEventsKeyForName,
  keyEventsKeyForPublicKey,
  outpointKey,
  verifyKeyEventsAppended,
  verifyKeyEventsInHeader,
  verifyOutpointInHeader,
  verifyTransactionInHeader,
  verifyTransactionLogExtends,
  type HeaderRoots,
  type OutpointStatus,
} from '../../agent/index.ts';
import { bytesToHex, sha256 } from '../../names/index.ts';

const hasCode = (code: string) => (error: unknown): boolean => error instanceof AgentError && error.code === code;
const isAgentError = (error: unknown): boolean => error instanceof AgentError;

/** A tiny chain state: a transaction log, an outpoint tree and a key-event tree, and their header roots. */
function chain(transactionCount: number) {
  const transactions = new MerkleLog();
  const transactionHashes = Array.from({ length: transactionCount }, (_, index) => sha256(Uint8Array.of(0x74, index)));
  for (const hash of transactionHashes) transactions.appendData(hash);
  const outpoints = new SparseMerkleTree();
  const statuses = new Map<string, OutpointStatus>();
  for (const [index, hash] of transactionHashes.entries()) {
    const status: OutpointStatus = index % 3 === 0 ? { state: 'spent', spentAtHeight: 10 + index, outputHash: sha256(hash) } : { state: 'unspent', outputHash: sha256(hash) };
    statuses.set(bytesToHex(outpointKey(hash, 0)), status);
  }
  outpoints.update([...statuses].map(([key, status]) => ({ key: Buffer.from(key, 'hex'), value: encodeOutpointStatus(status) })));
  const events = new Map<string, Uint8Array[]>();
  const alice = keyEventsKeyForPublicKey(sha256(Uint8Array.of(0xa1)));
  const bob = keyEventsKeyForName('bob');
  events.set(bytesToHex(alice), [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
  events.set(bytesToHex(bob), [Uint8Array.of(9)]);
  const keyEvents = new SparseMerkleTree();
  keyEvents.update(
    [...events].map(([key, list]) => ({
      key: Buffer.from(key, 'hex'),
      value: encodeKeyEventsSummary({ eventCount: list.length, eventLogRoot: LogFrontier.fromLeafData(list).root() }),
    })),
  );
  const roots: HeaderRoots = {
    transactionLogRoot: transactions.root(),
    transactionCount,
    outpointRoot: outpoints.root,
    keyEventRoot: keyEvents.root,
  };
  return { roots, transactions, transactionHashes, outpoints, statuses, keyEvents, events, alice, bob };
}

test('light client: transaction inclusion against a header, and the size is bound to the header', () => {
  const { roots, transactions, transactionHashes } = chain(6);
  for (const [index, hash] of transactionHashes.entries()) verifyTransactionInHeader(roots, hash, transactions.proveInclusion(index));
  // The same path also fits size 7 under bare RFC 9162; against the header it does not.
  const forged = { ...transactions.proveInclusion(0), treeSize: 7 };
  assert.throws(() => verifyTransactionInHeader(roots, transactionHashes[0] as Uint8Array, forged), hasCode('MERKLE_HEADER_MISMATCH'));
  assert.throws(() => verifyTransactionInHeader(roots, sha256(Uint8Array.of(0)), transactions.proveInclusion(0)), hasCode('MERKLE_ROOT_MISMATCH'));
});

test('light client: the transaction log of a later header extends an earlier one', () => {
  const { transactions } = chain(20);
  const header = (size: number): HeaderRoots => ({ transactionLogRoot: transactions.root(size), transactionCount: size, outpointRoot: new Uint8Array(32), keyEventRoot: new Uint8Array(32) });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), (a, b) => {
      const [size1, size2] = a <= b ? [a, b] : [b, a];
      const proof = size1 === 0 ? { size1, size2, path: [] } : transactions.proveConsistency(size1, size2);
      verifyTransactionLogExtends(header(size1), header(size2), proof);
      if (size1 !== size2) assert.throws(() => verifyTransactionLogExtends(header(size2), header(size1), proof), isAgentError);
      if (size2 < 20) assert.throws(() => verifyTransactionLogExtends(header(size1), header(size2 + 1), proof), hasCode('MERKLE_HEADER_MISMATCH'));
    }),
  );
  assert.throws(
    () => verifyTransactionLogExtends({ ...header(0), transactionLogRoot: sha256(Uint8Array.of(1)) }, header(3), { size1: 0, size2: 3, path: [] }),
    hasCode('MERKLE_ROOT_MISMATCH'),
  );
  assert.deepEqual(header(0).transactionLogRoot, emptyLogRoot);
});

test('light client: an outpoint is proven unspent, spent in block n, or never created', () => {
  const { roots, outpoints, statuses, transactionHashes } = chain(9);
  for (const [keyHex, status] of statuses) {
    const key = Buffer.from(keyHex, 'hex');
    const { proof, value } = outpoints.prove(key);
    assert.ok(value !== null);
    assert.deepEqual(decodeOutpointStatus(value), status);
    assert.deepEqual(verifyOutpointInHeader(roots, key, status, proof), status);
    // Claiming the other state, another height or another output fails.
    const lie: OutpointStatus = status.state === 'spent' ? { state: 'unspent', outputHash: status.outputHash } : { state: 'spent', spentAtHeight: 1, outputHash: status.outputHash };
    assert.throws(() => verifyOutpointInHeader(roots, key, lie, proof), hasCode('MERKLE_VALUE_MISMATCH'));
    assert.throws(() => verifyOutpointInHeader(roots, key, null, proof), hasCode('MERKLE_WRONG_KIND'));
  }
  const never = outpointKey(transactionHashes[0] as Uint8Array, 1);
  const absent = outpoints.prove(never);
  assert.equal(absent.value, null);
  assert.equal(verifyOutpointInHeader(roots, never, null, absent.proof), null);
  assert.throws(() => verifyOutpointInHeader(roots, never, { state: 'unspent', outputHash: new Uint8Array(32) }, absent.proof), hasCode('MERKLE_WRONG_KIND'));
});

test('light client: a wallet detects a withheld, extra or altered event', () => {
  const { roots, keyEvents, events, alice, bob } = chain(3);
  const aliceEvents = events.get(bytesToHex(alice)) ?? [];
  const { proof } = keyEvents.prove(alice);
  const summary = verifyKeyEventsInHeader(roots, alice, aliceEvents, proof);
  assert.equal(summary?.eventCount, 3);
  assert.throws(() => verifyKeyEventsInHeader(roots, alice, aliceEvents.slice(0, 2), proof), hasCode('MERKLE_EVENTS_INCOMPLETE'));
  assert.throws(() => verifyKeyEventsInHeader(roots, alice, [...aliceEvents, Uint8Array.of(4)], proof), hasCode('MERKLE_EVENTS_INCOMPLETE'));
  assert.throws(() => verifyKeyEventsInHeader(roots, alice, [Uint8Array.of(1), Uint8Array.of(3), Uint8Array.of(2)], proof), hasCode('MERKLE_EVENTS_INCOMPLETE'));
  assert.throws(() => verifyKeyEventsInHeader(roots, alice, [], proof), hasCode('MERKLE_WRONG_KIND'));
  // Incremental: the wallet kept the frontier of the first two events.
  const known = LogFrontier.fromLeafData(aliceEvents.slice(0, 2));
  const next = verifyKeyEventsAppended(roots, alice, known, aliceEvents.slice(2), proof);
  assert.equal(next.frontier.size, 3);
  assert.equal(known.size, 2, 'the kept frontier is not changed');
  verifyKeyEventsInHeader(roots, bob, events.get(bytesToHex(bob)) ?? [], keyEvents.prove(bob).proof);
  // A subject with no events: non-membership; claiming events for it fails.
  const carol = keyEventsKeyForName('carol');
  assert.equal(verifyKeyEventsInHeader(roots, carol, [], keyEvents.prove(carol).proof), null);
  assert.throws(() => verifyKeyEventsInHeader(roots, carol, [Uint8Array.of(1)], keyEvents.prove(carol).proof), hasCode('MERKLE_EVENTS_INCOMPLETE'));
});

test('ledger values: fixed encodings, canonical decoding, distinct key spaces', () => {
  const outputHash = sha256(Uint8Array.of(7));
  const unspent = encodeOutpointStatus({ state: 'unspent', outputHash });
  assert.equal(bytesToHex(unspent), '00' + '0000000000000000' + bytesToHex(outputHash));
  const spent = encodeOutpointStatus({ state: 'spent', spentAtHeight: 258, outputHash });
  assert.equal(bytesToHex(spent), '01' + '0000000000000102' + bytesToHex(outputHash));
  assert.deepEqual(decodeOutpointStatus(spent), { state: 'spent', spentAtHeight: 258, outputHash });
  const nonCanonical = unspent.slice();
  nonCanonical[8] = 1;
  assert.throws(() => decodeOutpointStatus(nonCanonical), hasCode('MERKLE_BAD_VALUE'));
  assert.throws(() => decodeOutpointStatus(Uint8Array.of(2, ...unspent.subarray(1))), hasCode('MERKLE_BAD_VALUE'));
  assert.throws(() => decodeOutpointStatus(unspent.subarray(1)), hasCode('MERKLE_BAD_VALUE'));
  const summary = { eventCount: 3, eventLogRoot: outputHash };
  assert.equal(bytesToHex(encodeKeyEventsSummary(summary)), '0000000000000003' + bytesToHex(outputHash));
  assert.deepEqual(decodeKeyEventsSummary(encodeKeyEventsSummary(summary)), summary);
  assert.throws(() => encodeKeyEventsSummary({ eventCount: 0, eventLogRoot: emptyLogRoot }), hasCode('MERKLE_BAD_VALUE'));
  assert.throws(() => decodeKeyEventsSummary(new Uint8Array(40)), hasCode('MERKLE_BAD_VALUE'));
  assert.throws(() => outpointKey(outputHash, 2 ** 32), hasCode('MERKLE_BAD_VALUE'));
  const keys = [outpointKey(outputHash, 0), outpointKey(outputHash, 1), keyEventsKeyForPublicKey(outputHash), keyEventsKeyForName('alice'), keyEventsKeyForName('alicf')];
  assert.equal(new Set(keys.map(bytesToHex)).size, keys.length);
});
