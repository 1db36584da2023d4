import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex } from '../../names/index.ts';
import {
  decodeGuardRecord,
  encodeGuardRecord,
  guardCheck,
  GuardedSigner,
  MemoryGuardStore,
  voteDigest,
  type GuardRecord,
  type GuardStore,
  type SignStep,
} from '../../agent/consensus/index.ts';
import { schnorrVerify } from '../../names/index.ts';
import { chainId, fixture, hash } from './helpers.ts';

/**
 * The sign guard (Liquid's HSM rule): the last signed (height, round, step) is persisted before
 * a signature leaves, nothing below it is signed, and nothing different at it — across restarts,
 * which these tests simulate by building a new signer on the same store.
 */

function signerOn(store: GuardStore) {
  const f = fixture([1n]);
  return { f, signer: new GuardedSigner({ secretKey: f.secretsInOrder[0]!, crypto: f.crypto, store, chainId }) };
}

test('the rule: above signs, below is a regression, at the point only the same message repeats', () => {
  const record: GuardRecord = { height: 5, round: 2, step: 'prevote', digest: hash('d'), signature: new Uint8Array(64).fill(7), lock: null, votes: [] };
  const at = (height: number, round: number, step: SignStep, digest = hash('d')) => guardCheck(record, { height, round, step, digest }).kind;
  assert.equal(at(5, 2, 'precommit'), 'sign');
  assert.equal(at(5, 3, 'propose'), 'sign');
  assert.equal(at(6, 0, 'propose'), 'sign');
  assert.equal(at(5, 2, 'propose'), 'refuse');
  assert.equal(at(5, 1, 'precommit'), 'refuse');
  assert.equal(at(4, 9, 'precommit'), 'refuse');
  assert.equal(at(5, 2, 'prevote'), 'repeat');
  assert.equal(at(5, 2, 'prevote', hash('other')), 'refuse');
  assert.equal(guardCheck(null, { height: 0, round: 0, step: 'propose', digest: hash('x') }).kind, 'sign');
});

test('across a restart: no conflicting vote, no vote below the last one, the same vote gets the same signature', () => {
  const store = new MemoryGuardStore();
  const first = signerOn(store).signer;
  const prevote = first.signVote({ type: 'prevote', height: 3, round: 1, polRound: -1, blockHash: hash('A') });
  assert.ok(prevote.ok);
  assert.ok(schnorrVerify(prevote.value.signature, voteDigest(chainId, 'prevote', 3, 1, hash('A')), first.publicKey));
  // Restart: a new signer on the same store.
  const restarted = signerOn(store).signer;
  const conflict = restarted.signVote({ type: 'prevote', height: 3, round: 1, polRound: -1, blockHash: null });
  assert.ok(!conflict.ok && conflict.error.code === 'CONSENSUS_GUARD_CONFLICT');
  const again = restarted.signVote({ type: 'prevote', height: 3, round: 1, polRound: -1, blockHash: hash('A') });
  assert.ok(again.ok && bytesToHex(again.value.signature) === bytesToHex(prevote.value.signature), 'byte-identical repeat');
  const precommit = restarted.signVote({ type: 'precommit', height: 3, round: 1, polRound: -1, blockHash: hash('A') });
  assert.ok(precommit.ok);
  const restartedAgain = signerOn(store).signer;
  const backwards = restartedAgain.signVote({ type: 'prevote', height: 3, round: 1, polRound: -1, blockHash: hash('A') });
  assert.ok(!backwards.ok && backwards.error.code === 'CONSENSUS_GUARD_REGRESSION');
  const proposal = restartedAgain.signProposal({ height: 3, round: 1, validRound: -1, beaconProof: new Uint8Array(81), block: Uint8Array.of(1) }, hash('A'));
  assert.ok(!proposal.ok && proposal.error.code === 'CONSENSUS_GUARD_REGRESSION');
});

test('the record keeps the lock and this height\'s own votes, for the restarted state machine', () => {
  const store = new MemoryGuardStore();
  const { signer } = signerOn(store);
  signer.signVote({ type: 'prevote', height: 3, round: 0, polRound: -1, blockHash: hash('A') });
  signer.signVote({ type: 'precommit', height: 3, round: 0, polRound: -1, blockHash: hash('A') });
  signer.signVote({ type: 'prevote', height: 3, round: 1, polRound: -1, blockHash: null });
  const record = store.read()!;
  assert.deepEqual(record.lock, { height: 3, round: 0, blockHash: hash('A') });
  assert.deepEqual(record.votes.map((vote) => [vote.type, vote.round]), [['prevote', 0], ['precommit', 0], ['prevote', 1]]);
  signer.signVote({ type: 'prevote', height: 4, round: 0, polRound: -1, blockHash: null });
  assert.equal(store.read()!.votes.length, 1, 'a new height starts a new list');
  for (let round = 1; round < 40; round++) signer.signVote({ type: 'prevote', height: 4, round, polRound: -1, blockHash: null });
  assert.equal(store.read()!.votes.length, 16, 'bounded');
});

test('persist before send: when the store cannot write, no signature comes out', () => {
  const failing: GuardStore = {
    read: () => null,
    write: () => {
      throw new Error('disk full');
    },
  };
  const { signer } = signerOn(failing);
  assert.throws(() => signer.signVote({ type: 'prevote', height: 1, round: 0, polRound: -1, blockHash: null }), /disk full/);
});

test('guard record: decode(encode(x)) = x', () => {
  const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
  const voteArbitrary = fc.record({
    type: fc.constantFrom('prevote' as const, 'precommit' as const),
    height: fc.integer({ min: 0, max: 1000 }),
    round: fc.integer({ min: 0, max: 100 }),
    polRound: fc.constant(-1),
    blockHash: fc.option(bytes(32), { nil: null }),
    voter: bytes(32),
    signature: bytes(64),
  });
  const recordArbitrary = fc.record({
    height: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    round: fc.integer({ min: 0, max: 0xffff_ffff }),
    step: fc.constantFrom('propose' as const, 'prevote' as const, 'precommit' as const),
    digest: bytes(32),
    signature: bytes(64),
    lock: fc.option(fc.record({ height: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), round: fc.integer({ min: 0, max: 0xffff_ffff }), blockHash: bytes(32) }), { nil: null }),
    votes: fc.array(voteArbitrary, { maxLength: 16 }),
  });
  fc.assert(fc.property(recordArbitrary, (record) => assert.deepEqual(decodeGuardRecord(encodeGuardRecord(record)), structuredClone(record))));
});
