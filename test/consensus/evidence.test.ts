import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schnorrSign } from '../../names/index.ts';
import {
  conflicts,
  decodeEvidence,
  encodeEvidence,
  evidenceKind,
  evidenceOffender,
  ForensicPool,
  makeEvidence,
  markVerified,
  offenceKey,
  verifyEvidence,
  VoteBook,
  voteDigest,
  type Vote,
  type VoteType,
} from '../../agent/consensus/index.ts';
import { chainId, fixture, hasCode, hash } from './helpers.ts';

/**
 * Evidence: equivocations and lock violations, built, encoded, verified by anyone who knows the
 * peer set, with real BIP340 signatures; and what is not evidence (an honest relock among them).
 */

const f = fixture([1n, 1n, 1n, 1n]);

function signedVote(index: number, type: VoteType, round: number, blockHash: Uint8Array | null, options: { height?: number; polRound?: number } = {}): Vote {
  const height = options.height ?? 8;
  const polRound = options.polRound ?? -1;
  const signature = schnorrSign(voteDigest(chainId, type, height, round, blockHash, polRound), f.secretsInOrder[index]!, new Uint8Array(32));
  return { type, height, round, polRound, blockHash, voter: f.keys[index]!, signature };
}

test('two signed votes for one step with two values are evidence; it verifies after a round trip', () => {
  const a = signedVote(2, 'precommit', 1, hash('A'));
  const b = signedVote(2, 'precommit', 1, null);
  assert.ok(conflicts(a, b));
  const evidence = makeEvidence(a, b);
  assert.equal(evidence.first.blockHash, null, 'nil sorts first');
  assert.equal(evidenceKind(evidence), 'equivocation');
  const decoded = decodeEvidence(encodeEvidence(evidence));
  verifyEvidence(f.peerSet, decoded);
  assert.deepEqual(evidenceOffender(decoded), f.keys[2]);
  assert.equal(offenceKey(decoded), offenceKey(makeEvidence(b, a)));
});

test('one prevote value signed with two proof-of-lock rounds is an equivocation too', () => {
  const evidence = makeEvidence(signedVote(1, 'prevote', 4, hash('A'), { polRound: 2 }), signedVote(1, 'prevote', 4, hash('A'), { polRound: -1 }));
  assert.equal(evidence.first.polRound, -1, 'lower proof-of-lock round first');
  verifyEvidence(f.peerSet, decodeEvidence(encodeEvidence(evidence)));
});

test('lock violation: precommit B in round 1, prevote B\' in round 3 citing a round below 1 (or none)', () => {
  const precommit = signedVote(3, 'precommit', 1, hash('B'));
  for (const polRound of [-1, 0]) {
    const prevote = signedVote(3, 'prevote', 3, hash('B2'), { polRound });
    assert.ok(conflicts(prevote, precommit));
    const evidence = makeEvidence(prevote, precommit);
    assert.equal(evidence.first.type, 'precommit', 'the precommit comes first');
    assert.equal(evidenceKind(evidence), 'lock-violation');
    const decoded = decodeEvidence(encodeEvidence(evidence));
    verifyEvidence(f.peerSet, decoded);
    assert.deepEqual(evidenceOffender(decoded), f.keys[3]);
    assert.equal(offenceKey(decoded), `${offenceKey(evidence)}`);
    assert.match(offenceKey(decoded), /:lock:8$/);
  }
});

test('not a lock violation: a cited round at or above the lock, nil, the same block, an earlier prevote, another voter', () => {
  const precommit = signedVote(3, 'precommit', 1, hash('B'));
  const notEvidence = (other: Vote, why: string): void => {
    assert.ok(!conflicts(precommit, other), why);
    assert.throws(() => verifyEvidence(f.peerSet, { first: precommit, second: other }), hasCode('CONSENSUS_NOT_CONFLICTING'), why);
  };
  notEvidence(signedVote(3, 'prevote', 3, hash('B2'), { polRound: 1 }), 'cites the lock round itself (a real quorum for B\' in round 1 would justify it)');
  notEvidence(signedVote(3, 'prevote', 3, hash('B2'), { polRound: 2 }), 'cites a round above the lock (an honest relock)');
  notEvidence(signedVote(3, 'prevote', 3, null), 'nil is always allowed');
  notEvidence(signedVote(3, 'prevote', 3, hash('B')), 'the locked block itself');
  notEvidence(signedVote(3, 'prevote', 0, hash('B2')), 'a prevote before the precommit');
  notEvidence(signedVote(3, 'prevote', 1, hash('B2')), 'a prevote of the same round (it may have come before the quorum for B)');
  notEvidence(signedVote(2, 'prevote', 3, hash('B2')), 'another voter');
  notEvidence(signedVote(3, 'prevote', 3, hash('B2'), { height: 9 }), 'another height');
  // A nil precommit locks nothing.
  assert.ok(!conflicts(signedVote(3, 'precommit', 1, null), signedVote(3, 'prevote', 3, hash('B2'))));
});

test('a lock violation with a forged signature, or a forged proof-of-lock round, frames nobody', () => {
  const precommit = signedVote(3, 'precommit', 1, hash('B'));
  const prevote = signedVote(3, 'prevote', 3, hash('B2'), { polRound: 2 });
  // The peer signed "round 2"; evidence claiming it signed "round 0" does not verify.
  const altered = { first: precommit, second: { ...prevote, polRound: 0 } };
  assert.ok(conflicts(altered.first, altered.second));
  assert.throws(() => verifyEvidence(f.peerSet, altered), hasCode('CONSENSUS_BAD_SIGNATURE'));
  const forged = { first: precommit, second: { ...signedVote(3, 'prevote', 3, hash('B2')), signature: precommit.signature } };
  assert.throws(() => verifyEvidence(f.peerSet, forged), hasCode('CONSENSUS_BAD_SIGNATURE'));
  const evidence = makeEvidence(precommit, signedVote(3, 'prevote', 3, hash('B2')));
  assert.throws(() => verifyEvidence(f.peerSet, { first: evidence.second, second: evidence.first }), hasCode('CONSENSUS_NOT_CONFLICTING'), 'the prevote first is no form of evidence');
});

test('what is not evidence is rejected with its code', () => {
  const a = signedVote(1, 'prevote', 0, hash('A'));
  assert.throws(() => verifyEvidence(f.peerSet, { first: a, second: a }), hasCode('CONSENSUS_NOT_CONFLICTING'));
  assert.throws(() => verifyEvidence(f.peerSet, { first: signedVote(1, 'prevote', 0, null), second: signedVote(1, 'prevote', 1, hash('A')) }), hasCode('CONSENSUS_NOT_CONFLICTING'), 'different rounds');
  assert.throws(() => verifyEvidence(f.peerSet, { first: signedVote(1, 'prevote', 0, null), second: signedVote(1, 'precommit', 0, hash('A')) }), hasCode('CONSENSUS_NOT_CONFLICTING'), 'different steps');
  assert.throws(() => verifyEvidence(f.peerSet, { first: signedVote(1, 'prevote', 0, null), second: signedVote(2, 'prevote', 0, hash('A')) }), hasCode('CONSENSUS_NOT_CONFLICTING'), 'different voters');
  const evidence = makeEvidence(a, signedVote(1, 'prevote', 0, hash('B')));
  assert.throws(() => verifyEvidence(f.peerSet, { first: evidence.second, second: evidence.first }), hasCode('CONSENSUS_NON_CANONICAL'));
  const forged = { ...evidence, second: { ...evidence.second, signature: evidence.first.signature } };
  assert.throws(() => verifyEvidence(f.peerSet, forged), hasCode('CONSENSUS_BAD_SIGNATURE'), 'a vote the peer never signed frames nobody');
  const stranger = fixture([1n], 99);
  assert.throws(() => verifyEvidence(stranger.peerSet, evidence), hasCode('CONSENSUS_UNKNOWN_PEER'));
});

test('the vote book turns a lock violation into a conflict as soon as both votes are in, in either order', () => {
  for (const order of ['precommit first', 'prevote first']) {
    const book = new VoteBook(f.peerSet, 8);
    const precommit = markVerified(signedVote(0, 'precommit', 0, hash('B')));
    const prevote = markVerified(signedVote(0, 'prevote', 2, hash('B2')));
    const [first, second] = order === 'precommit first' ? [precommit, prevote] : [prevote, precommit];
    assert.equal(book.add(first, 2).kind, 'added', order);
    const result = book.add(second, 2);
    assert.equal(result.kind, 'conflict', order);
    if (result.kind === 'conflict') verifyEvidence(f.peerSet, makeEvidence(result.existing, second));
  }
});

test('forensics: an amnesia fork across rounds convicts the peers that forgot their lock', () => {
  // Peers 0 and 1 (Byzantine) precommit B in round 0 with peer 2; in round 2 they prevote B'
  // with peer 3 citing no lock, and precommit it.
  const pool = new ForensicPool(8);
  for (const index of [0, 1, 2]) pool.add(markVerified(signedVote(index, 'precommit', 0, hash('B'))));
  for (const index of [0, 1, 3]) pool.add(markVerified(signedVote(index, 'prevote', 2, hash('B2'))));
  for (const index of [0, 1, 3]) pool.add(markVerified(signedVote(index, 'precommit', 2, hash('B2'))));
  const evidence = pool.detect();
  assert.deepEqual(new Set(evidence.map((item) => offenceKey(item))), new Set([f.keys[0]!, f.keys[1]!].map((key) => `${Buffer.from(key).toString('hex')}:lock:8`)));
  for (const item of evidence) verifyEvidence(f.peerSet, item);
});

test('forensics: an honest relock backed by a real quorum is not convicted; the equivocators of that quorum are', () => {
  const pool = new ForensicPool(8);
  // Round 0: peer 2 sees a quorum for B (0, 1, 2 prevote B) and precommits B.
  for (const index of [0, 1, 2]) pool.add(markVerified(signedVote(index, 'prevote', 0, hash('B'))));
  pool.add(markVerified(signedVote(2, 'precommit', 0, hash('B'))));
  // Round 1: a quorum for B' (0, 1, 3), peer 2 relocks B' honestly and precommits it.
  for (const index of [0, 1, 3]) pool.add(markVerified(signedVote(index, 'prevote', 1, hash('B2'))));
  pool.add(markVerified(signedVote(2, 'precommit', 1, hash('B2'))));
  // Round 2: peer 2 prevotes B' citing its lock round 1 (≥ 0, the round of its precommit of B).
  pool.add(markVerified(signedVote(2, 'prevote', 2, hash('B2'), { polRound: 1 })));
  assert.deepEqual(pool.detect(), [], 'precommit B in 0 + prevote B\' in 2 citing 1 is not a violation, and peers 0, 1 changed value legitimately so far');
  // Had peers 0 and 1 also prevoted B' in round 0, they equivocated there: convicted, peer 2 not.
  for (const index of [0, 1]) pool.add(markVerified(signedVote(index, 'prevote', 0, hash('B2'))));
  const convicted = new Set(pool.detect().map((item) => Buffer.from(evidenceOffender(item)).toString('hex')));
  assert.deepEqual(convicted, new Set([f.keys[0]!, f.keys[1]!].map((key) => Buffer.from(key).toString('hex'))));
});

test('forensics: the pool is bounded per voter', () => {
  const pool = new ForensicPool(8);
  let full = 0;
  for (let round = 0; round < 300; round++) if (pool.add(markVerified({ ...signedVote(0, 'prevote', 0, null), round, signature: new Uint8Array(64) })) === 'full') full++;
  assert.equal(pool.size, 256);
  assert.equal(full, 44);
});
