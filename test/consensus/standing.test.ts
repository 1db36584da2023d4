import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkStandingParams,
  defaultStandingParams,
  emptyStanding,
  keyHex,
  peerSetFor,
  recordCertificate,
  recordEvidence,
  snapshotHeight,
  type Certificate,
  type PeerSet,
  type StandingParams,
} from '../../agent/consensus/index.ts';
import { stakeSnapshotHeight, defaultChainParameters } from '../../agent/index.ts';
import { chainId, fixture, hasCode } from './helpers.ts';

/** Proof of share: weights from a stake snapshot, and good standing (stake, evidence, responsiveness). */

const params: StandingParams = { snapshotDelayBlocks: 2, snapshotIntervalBlocks: 8, minimumStake: 10n, missedWindowHeights: 4, missedMax: 1, jailHeights: 5 };

test('snapshot height: ⌊(h − delay)/interval⌋·interval, 0 before the delay; the same as the ledger\'s', () => {
  assert.deepEqual([0, 1, 2, 9, 10, 17, 18].map((height) => snapshotHeight(params, height)), [0, 0, 0, 0, 8, 8, 16]);
  const design = { snapshotDelayBlocks: 1000, snapshotIntervalBlocks: 4096 };
  assert.equal(snapshotHeight(design, 999), 0);
  assert.equal(snapshotHeight(design, 5095), 0);
  assert.equal(snapshotHeight(design, 5096), 4096);
  for (const height of [0, 1, 999, 1000, 5095, 5096, 123_456, 10_000_000]) {
    assert.equal(snapshotHeight(design, height), stakeSnapshotHeight(defaultChainParameters, height), `height ${height}`);
  }
  checkStandingParams(defaultStandingParams);
  assert.throws(() => checkStandingParams({ ...params, missedMax: 4 }), hasCode('CONSENSUS_BAD_PARAMETERS'));
});

function certificate(peerSet: PeerSet, height: number, signers: number[]): Certificate {
  return { height, round: 0, blockHash: new Uint8Array(32), peerCount: peerSet.peers.length, signers, signatures: signers.map(() => new Uint8Array(64)), beaconProof: new Uint8Array(81) };
}

test('weights are the stake; peers below the minimum stake, or convicted, are out', () => {
  const f = fixture([1n, 1n, 1n, 1n]);
  const stakes = new Map(f.keys.map((key, index) => [keyHex(key), [50n, 9n, 10n, 30n][index]!]));
  const set = peerSetFor(chainId, stakes, emptyStanding, params, 20);
  assert.equal(set.peers.length, 3);
  assert.equal(set.totalWeight, 90n);
  const convicted = recordEvidence(emptyStanding, f.keys[0]!, 20);
  assert.equal(peerSetFor(chainId, stakes, convicted, params, 21).totalWeight, 40n);
  assert.equal(recordEvidence(convicted, f.keys[0]!, 30), convicted, 'a second conviction changes nothing');
  assert.throws(() => peerSetFor(chainId, new Map([[keyHex(f.keys[0]!), 1n]]), emptyStanding, params, 1), hasCode('CONSENSUS_BAD_PEER_SET'));
});

test('missed votes: more than missedMax misses in the window jails a peer until jailHeights later', () => {
  const f = fixture([10n, 10n, 10n, 10n, 10n]);
  const stakes = new Map(f.keys.map((key) => [keyHex(key), 10n]));
  const absent = keyHex(f.keys[4]!); // the peer that never signs
  let standing = recordCertificate(emptyStanding, params, f.peerSet, certificate(f.peerSet, 1, [0, 1, 2, 3]));
  assert.equal(standing.jailedUntil.size, 0, 'one miss is allowed (missedMax 1)');
  assert.deepEqual(standing.recent.get(absent), [false]);
  standing = recordCertificate(standing, params, f.peerSet, certificate(f.peerSet, 2, [0, 1, 2, 3]));
  assert.equal(standing.jailedUntil.get(absent), 2 + 1 + params.jailHeights, 'the second miss jails');
  assert.ok(!standing.recent.has(absent), 'its window starts again');
  assert.equal(peerSetFor(chainId, stakes, standing, params, 7).peers.length, 4);
  assert.equal(peerSetFor(chainId, stakes, standing, params, 8).peers.length, 5, 'back after the jail term');
  // Misses slide out of the window: sign, miss, sign, sign, miss never exceeds one in four.
  let sliding = emptyStanding;
  [true, false, true, true, true, false].forEach((signs, index) => {
    sliding = recordCertificate(sliding, params, f.peerSet, certificate(f.peerSet, index + 1, signs ? [0, 1, 2, 3, 4] : [0, 1, 2, 3]));
  });
  assert.equal(sliding.jailedUntil.size, 0);
});

test('accounting never jails the set below a quorum of its weight', () => {
  // Four equal peers of which two never sign: jailing both would leave 1/2. One is jailed,
  // and while it is, the other is not — even if the caller keeps passing the full set.
  const f = fixture([1n, 1n, 1n, 1n]);
  let standing = emptyStanding;
  for (let height = 1; height <= 3; height++) standing = recordCertificate(standing, params, f.peerSet, certificate(f.peerSet, height, [0, 1]));
  assert.equal(standing.jailedUntil.size, 1);
});

test('a new snapshot that moves stake onto jailed peers does not empty the set: jails wait', () => {
  const f = fixture([1n, 1n, 1n, 1n]);
  const [a, b, c, d] = f.keys.map((key) => keyHex(key)) as [string, string, string, string];
  const standing = { ...emptyStanding, jailedUntil: new Map([[a, 50], [b, 40]]) };
  // Old stakes made a and b small; now they hold most of it.
  const stakes = new Map([[a, 40n], [b, 40n], [c, 10n], [d, 10n]]);
  const set = peerSetFor(chainId, stakes, standing, params, 30);
  assert.equal(set.totalWeight, 100n, 'jailing a or b would leave ≤ 2/3 of the eligible stake: both wait');
  const lighter = new Map([[a, 10n], [b, 100n], [c, 100n], [d, 100n]]); // total 310
  const partly = peerSetFor(chainId, lighter, standing, params, 30);
  assert.deepEqual(partly.peers.map((peer) => keyHex(peer.publicKey)).sort(), [b, c, d].sort(), 'a (jailed longest) is out; without b too only 200 of 310 would stay, not more than 2/3');
});
