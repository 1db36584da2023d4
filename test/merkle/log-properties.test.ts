import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  AgentError,
  LogFrontier,
  MerkleLog,
  agentErrorCodes,
  decodeLogConsistencyProof,
  decodeLogInclusionProof,
  encodeLogConsistencyProof,
  encodeLogInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../agent/index.ts';
import { bytesToHex } from '../../names/index.ts';

const logSize = 300;
const log = new MerkleLog();
for (let index = 0; index < logSize; index++) log.appendData(Uint8Array.of(index & 0xff, index >> 8, 0x5a));

const isAgentError = (error: unknown): boolean => error instanceof AgentError && agentErrorCodes.has(error.code);

/** A proof tampered one way: a flipped bit in one node, a node dropped, added or swapped. */
type PathTamper =
  | { kind: 'flip'; node: number; bit: number }
  | { kind: 'truncate' }
  | { kind: 'drop-first' }
  | { kind: 'extend'; extra: Uint8Array }
  | { kind: 'prepend'; extra: Uint8Array }
  | { kind: 'swap'; node: number };

const pathTamper: fc.Arbitrary<PathTamper> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), node: fc.nat(), bit: fc.integer({ min: 0, max: 255 }) }),
  fc.constant({ kind: 'truncate' as const }),
  fc.constant({ kind: 'drop-first' as const }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('prepend' as const), extra: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('swap' as const), node: fc.nat() }),
);

/** The tampered path, or null when this tamper does not apply (it would leave the proof unchanged). */
function tamperPath(path: readonly Uint8Array[], tamper: PathTamper): Uint8Array[] | null {
  const copy = path.map((node) => node.slice());
  switch (tamper.kind) {
    case 'flip': {
      const node = copy[tamper.node % Math.max(copy.length, 1)];
      if (node === undefined) return null;
      node[tamper.bit >> 3] = (node[tamper.bit >> 3] ?? 0) ^ (1 << (tamper.bit & 7));
      return copy;
    }
    case 'truncate':
      return copy.length === 0 ? null : copy.slice(0, -1);
    case 'drop-first':
      return copy.length === 0 ? null : copy.slice(1);
    case 'extend':
      return [...copy, tamper.extra];
    case 'prepend':
      return [tamper.extra, ...copy];
    case 'swap': {
      const at = tamper.node % Math.max(copy.length - 1, 1);
      const [a, b] = [copy[at], copy[at + 1]];
      if (a === undefined || b === undefined || bytesToHex(a) === bytesToHex(b)) return null;
      copy[at] = b;
      copy[at + 1] = a;
      return copy;
    }
  }
}

test('inclusion: every generated proof verifies; any tampered path or leaf index is rejected', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: logSize }), fc.nat(), pathTamper, fc.integer({ min: -3, max: 3 }), (size, indexSeed, tamper, indexDelta) => {
      const index = indexSeed % size;
      const path = log.inclusionPath(index, size);
      const root = log.root(size);
      const leafHash = log.leafHash(index);
      verifyInclusion(index, size, leafHash, path, root);
      const tampered = tamperPath(path, tamper);
      if (tampered !== null) assert.throws(() => verifyInclusion(index, size, leafHash, tampered, root), isAgentError);
      if (indexDelta !== 0) assert.throws(() => verifyInclusion(index + indexDelta, size, leafHash, path, root), isAgentError);
    }),
    { numRuns: 400 },
  );
});

test('consistency: every generated proof verifies; any tampered proof or first size is rejected', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: logSize }), fc.nat(), pathTamper, fc.integer({ min: -3, max: 3 }), (size2, seed, tamper, delta) => {
      const size1 = 1 + (seed % size2);
      const proof = log.consistencyPath(size1, size2);
      const [root1, root2] = [log.root(size1), log.root(size2)];
      verifyConsistency(size1, size2, root1, root2, proof);
      const tampered = tamperPath(proof, tamper);
      if (tampered !== null) assert.throws(() => verifyConsistency(size1, size2, root1, root2, tampered), isAgentError);
      if (delta !== 0) assert.throws(() => verifyConsistency(size1 + delta, size2, root1, root2, proof), isAgentError);
    }),
    { numRuns: 400 },
  );
});

test('RFC 9162 does not bind the tree size into the root: the header check must (verify.ts)', () => {
  // PATH(0, D[6]) = [d1, MTH(D[2:4]), MTH(D[4:6])] has the shape PATH(0, D[7]) has, so the bare
  // algorithm accepts it for size 7 too. verifyTransactionInHeader compares the size to the header.
  const path = log.inclusionPath(0, 6);
  verifyInclusion(0, 7, log.leafHash(0), path, log.root(6));
});

test('the frontier agrees with the log at every size, and restores from its peaks', () => {
  const frontier = LogFrontier.empty();
  for (let size = 0; size <= logSize; size++) {
    assert.equal(bytesToHex(frontier.root()), bytesToHex(log.root(size)), `size ${size}`);
    const restored = LogFrontier.fromPeaks(frontier.size, frontier.peakHashes);
    assert.equal(bytesToHex(restored.root()), bytesToHex(log.root(size)));
    if (size < logSize) frontier.appendLeafHash(log.leafHash(size));
  }
  assert.throws(() => LogFrontier.fromPeaks(3, []), isAgentError);
});

test('a log refuses proofs beyond its size and ranges that are not subtrees, with typed errors', () => {
  assert.throws(() => log.root(logSize + 1), (error: unknown) => error instanceof AgentError && error.code === 'MERKLE_BEYOND_LOG');
  assert.throws(() => log.inclusionPath(5, 5), (error: unknown) => error instanceof AgentError && error.code === 'MERKLE_BAD_RANGE');
  assert.throws(() => log.consistencyPath(0, 5), (error: unknown) => error instanceof AgentError && error.code === 'MERKLE_EMPTY_TREE');
  assert.throws(() => log.subtreeHash(2, 5), (error: unknown) => error instanceof AgentError && error.code === 'MERKLE_BAD_RANGE');
  assert.throws(() => log.leafHash(-1), (error: unknown) => error instanceof AgentError && error.code === 'MERKLE_BAD_SIZE');
  assert.throws(() => log.appendLeafHash(new Uint8Array(31)), (error: unknown) => error instanceof AgentError && error.code === 'MERKLE_BAD_HASH');
});

test('returned hashes are copies: mutating a proof does not change the log', () => {
  const before = bytesToHex(log.root());
  for (const node of log.inclusionPath(7)) node.fill(0xff);
  log.leafHash(3).fill(0);
  log.root().fill(1);
  assert.equal(bytesToHex(log.root()), before);
});

test('log proof codecs: decode(encode(x)) == x', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: logSize }), fc.nat(), (size, seed) => {
      const inclusion = log.proveInclusion(seed % size, size);
      assert.deepEqual(decodeLogInclusionProof(encodeLogInclusionProof(inclusion)), inclusion);
      const consistency = log.proveConsistency(1 + (seed % size), size);
      assert.deepEqual(decodeLogConsistencyProof(encodeLogConsistencyProof(consistency)), consistency);
    }),
    { numRuns: 200 },
  );
});

test('log proof codecs: golden bytes', () => {
  const small = new MerkleLog();
  for (const data of [Uint8Array.of(), Uint8Array.of(0x00), Uint8Array.of(0x10)]) small.appendData(data);
  // RFC 6962 test tree, leaf 2 of 3: the path is [MTH(D[0:2])] (rfc6962-test-tree.json, level 1, node 0).
  assert.equal(
    bytesToHex(encodeLogInclusionProof(small.proveInclusion(2))),
    '0000000000000002' + '0000000000000003' + '01' + 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  );
  // 1 → 3: [leaf 1, leaf 2] (level 0, nodes 1 and 2).
  assert.equal(
    bytesToHex(encodeLogConsistencyProof(small.proveConsistency(1))),
    '0000000000000001' +
      '0000000000000003' +
      '02' +
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7' +
      '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  );
});

test('log proof codecs: random bytes decode or fail only with typed errors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      for (const decode of [decodeLogInclusionProof, decodeLogConsistencyProof]) {
        try {
          const proof = decode(bytes);
          assert.equal(proof.path.length * 32 + 17, bytes.length);
        } catch (error) {
          assert.ok(isAgentError(error), String(error));
        }
      }
    }),
    { numRuns: 500 },
  );
  assert.throws(() => decodeLogInclusionProof(new Uint8Array(16)), isAgentError);
  const tooBig = new Uint8Array(17);
  tooBig.fill(0xff, 0, 8);
  assert.throws(() => decodeLogInclusionProof(tooBig), (error: unknown) => error instanceof AgentError && error.code === 'MERKLE_BAD_ENCODING');
});
