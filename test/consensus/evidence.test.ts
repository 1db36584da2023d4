import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schnorrSign } from '../../names/index.ts';
import {
  conflicts,
  decodeEvidence,
  encodeEvidence,
  evidenceOffender,
  makeEvidence,
  offenceKey,
  verifyEvidence,
  voteDigest,
  type Vote,
  type VoteType,
} from '../../agent/consensus/index.ts';
import { chainId, fixture, hasCode, hash } from './helpers.ts';

/** Evidence of equivocation: built, encoded, verified by anyone who knows the peer set. */

const f = fixture([1n, 1n, 1n, 1n]);

function signedVote(index: number, type: VoteType, round: number, blockHash: Uint8Array | null, height = 8): Vote {
  const signature = schnorrSign(voteDigest(chainId, type, height, round, blockHash), f.secretsInOrder[index]!, new Uint8Array(32));
  return { type, height, round, blockHash, voter: f.keys[index]!, signature };
}

test('two signed votes for one step with two values are evidence; it verifies after a round trip', () => {
  const a = signedVote(2, 'precommit', 1, hash('A'));
  const b = signedVote(2, 'precommit', 1, null);
  assert.ok(conflicts(a, b));
  const evidence = makeEvidence(a, b);
  assert.equal(evidence.first.blockHash, null, 'nil sorts first');
  const decoded = decodeEvidence(encodeEvidence(evidence));
  verifyEvidence(f.peerSet, decoded);
  assert.deepEqual(evidenceOffender(decoded), f.keys[2]);
  assert.equal(offenceKey(decoded), offenceKey(makeEvidence(b, a)));
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
