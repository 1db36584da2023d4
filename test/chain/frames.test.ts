import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRng } from '../../names/index.ts';
import { decodeFrame, encodeFrame, isChainFrame, transactionFrames, type ChainFrame } from '../../agent/chain/frames.ts';
import { chainFrameBytesMax } from '../../agent/constants.ts';
import { AgentError } from '../../agent/errors.ts';

/** Chain frames: round trips, golden first bytes, the split into channel-sized frames, fuzzing. */

const rng = seededRng(11);
const frames: ChainFrame[] = [
  { kind: 'consensus', message: Uint8Array.of(1, 5, 0, 0, 0, 0, 0, 0, 0, 1, ...new Uint8Array(32)) },
  { kind: 'transactions', transactions: [rng.bytes(184), rng.bytes(300)] },
  { kind: 'subscribe' },
  { kind: 'finalized', height: 42, blockHash: rng.bytes(32), timeMs: 1_700_000_000_000, round: 1, transactionHashes: [rng.bytes(32), rng.bytes(32)] },
  { kind: 'refused', transactionHash: rng.bytes(32), reason: 'LEDGER_DOUBLE_SPEND: input 0' },
];

test('every chain frame decodes to what was encoded, and starts with c1 and its kind', () => {
  frames.forEach((frame, index) => {
    const bytes = encodeFrame(frame);
    assert.ok(isChainFrame(bytes), `${frame.kind} starts with c1`);
    assert.equal(bytes[1], index + 1, `${frame.kind} is kind ${index + 1}`);
    assert.deepEqual(decodeFrame(bytes), frame, `${frame.kind} round-trips`);
  });
  assert.deepEqual([...encodeFrame({ kind: 'subscribe' })], [0xc1, 0x03], 'subscribe is two bytes');
});

test('a transaction load is split into frames below the channel message size', () => {
  const transactions = Array.from({ length: 3_000 }, () => rng.bytes(1_000));
  const split = transactionFrames(transactions);
  assert.ok(split.length > 1, 'more than one frame');
  for (const frame of split) assert.ok(frame.length <= chainFrameBytesMax + 4, `a frame of ${frame.length} bytes fits`);
  const back = split.flatMap((frame) => (decodeFrame(frame) as Extract<ChainFrame, { kind: 'transactions' }>).transactions);
  assert.equal(back.length, transactions.length, 'every transaction once');
});

test('random bytes after the marker yield a frame or a CHAIN_BAD_FRAME, nothing else', () => {
  for (let run = 0; run < 5_000; run++) {
    const bytes = Uint8Array.of(0xc1, 1 + rng.below(6), ...rng.bytes(rng.below(80)));
    try {
      decodeFrame(bytes);
    } catch (error) {
      assert.ok(error instanceof AgentError && error.code === 'CHAIN_BAD_FRAME', `typed error (${String(error)})`);
    }
  }
});
