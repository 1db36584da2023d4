import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  AgentError,
  MemorySparseNodeStore,
  SparseMerkleTree,
  agentErrorCodes,
  applySparseUpdates,
  decodeSparseNode,
  decodeSparseProof,
  encodeSparseNode,
  encodeSparseProof,
  hashOfSparseNode,
  sparseEmptyHash,
  verifySparseMembership,
  verifySparseNonMembership,
  verifySparseProof,
  type SparseNodeReader,
  type SparseProof,
} from '../../agent/index.ts';
import { bytesToHex, sha256 } from '../../names/index.ts';
import { referenceSparseRoot } from './reference.ts';

const isAgentError = (error: unknown): boolean => error instanceof AgentError && agentErrorCodes.has(error.code);
const hasCode = (code: string) => (error: unknown): boolean => error instanceof AgentError && error.code === code;

/** Keys from small seeds, so fast-check shrinks to readable cases; some share long prefixes. */
const key = (seed: number): Uint8Array => sha256(Uint8Array.of(seed & 0xff, seed >> 8));
const keySeed = fc.integer({ min: 0, max: 400 });
const value = fc.uint8Array({ minLength: 0, maxLength: 41 });
const entries = fc.uniqueArray(fc.tuple(keySeed, value), { selector: ([seed]) => seed, maxLength: 60 });

function treeOf(pairs: readonly (readonly [number, Uint8Array])[]): SparseMerkleTree {
  const tree = new SparseMerkleTree();
  tree.update(pairs.map(([seed, data]) => ({ key: key(seed), value: data })));
  return tree;
}

function reachableNodes(store: SparseNodeReader, hash: Uint8Array): number {
  if (bytesToHex(hash) === bytesToHex(sparseEmptyHash)) return 0;
  const node = store.getNode(hash);
  assert.ok(node !== undefined, 'a reachable node is in the store');
  return node.kind === 'leaf' ? 1 : 1 + reachableNodes(store, node.left) + reachableNodes(store, node.right);
}

const referenceOf = (pairs: readonly (readonly [number, Uint8Array])[]): string =>
  bytesToHex(referenceSparseRoot(pairs.map(([seed, data]) => [key(seed), data] as const)));

test('sparse: the root is independent of insertion order and batching, and matches the reference', () => {
  fc.assert(
    fc.property(entries, fc.integer({ min: 1, max: 7 }), fc.nat(), (pairs, batchSize, shuffleSeed) => {
      const expected = referenceOf(pairs);
      assert.equal(bytesToHex(treeOf(pairs).root), expected);
      const shuffled = [...pairs].sort((a, b) => ((a[0] * 7919 + shuffleSeed) % 401) - ((b[0] * 7919 + shuffleSeed) % 401));
      const tree = new SparseMerkleTree();
      for (let at = 0; at < shuffled.length; at += batchSize) {
        tree.update(shuffled.slice(at, at + batchSize).map(([seed, data]) => ({ key: key(seed), value: data })));
      }
      assert.equal(bytesToHex(tree.root), expected);
    }),
    { numRuns: 150 },
  );
});

test('sparse: random insert/delete sequences end at the root of the surviving entries, and prune cleanly', () => {
  const operation = fc.tuple(keySeed, fc.option(value, { nil: null }));
  fc.assert(
    fc.property(fc.array(fc.array(operation, { maxLength: 12 }), { maxLength: 12 }), (batches) => {
      const tree = new SparseMerkleTree();
      const model = new Map<number, Uint8Array>();
      for (const batch of batches) {
        tree.update(batch.map(([seed, data]) => ({ key: key(seed), value: data })));
        for (const [seed, data] of batch) {
          if (data === null) model.delete(seed);
          else model.set(seed, data);
        }
        assert.equal(bytesToHex(tree.root), referenceOf([...model]));
      }
      // Without history, the store holds exactly the nodes the current root reaches: no leak, no gap.
      assert.equal((tree.store as MemorySparseNodeStore).size, reachableNodes(tree.store, tree.root));
      for (const [seed, data] of model) assert.deepEqual(tree.get(key(seed)), data);
    }),
    { numRuns: 150 },
  );
});

test('sparse: deleting everything returns to the empty root and an empty store', () => {
  const tree = treeOf([1, 2, 3, 4, 5].map((seed) => [seed, Uint8Array.of(seed)] as const));
  tree.update([1, 2, 3, 4, 5].map((seed) => ({ key: key(seed), value: null })));
  assert.deepEqual(tree.root, sparseEmptyHash);
  assert.equal((tree.store as MemorySparseNodeStore).size, 0);
});

test('sparse: membership and non-membership proofs verify, and fail against another root', () => {
  fc.assert(
    fc.property(entries, keySeed, keySeed, (pairs, probe, other) => {
      const tree = treeOf(pairs);
      const otherTree = treeOf([...pairs.filter(([seed]) => seed !== other), [other, Uint8Array.of(0xee, other & 0xff)]]);
      const present = new Map(pairs);
      for (const seed of [probe, ...pairs.slice(0, 3).map(([s]) => s)]) {
        const { proof, value: found } = tree.prove(key(seed));
        const expected = present.get(seed) ?? null;
        assert.deepEqual(found, expected);
        verifySparseProof(tree.root, key(seed), expected, proof);
        if (expected === null) verifySparseNonMembership(tree.root, key(seed), proof);
        else verifySparseMembership(tree.root, key(seed), expected, proof);
        assert.deepEqual(decodeSparseProof(encodeSparseProof(proof)), proof);
        if (bytesToHex(otherTree.root) !== bytesToHex(tree.root)) {
          assert.throws(() => verifySparseProof(otherTree.root, key(seed), expected, proof), isAgentError);
        }
        // The opposite claim never verifies.
        if (expected === null) assert.throws(() => verifySparseProof(tree.root, key(seed), Uint8Array.of(1), proof), isAgentError);
        else assert.throws(() => verifySparseNonMembership(tree.root, key(seed), proof), hasCode('MERKLE_WRONG_KIND'));
      }
    }),
    { numRuns: 150 },
  );
});

type ProofTamper =
  | { kind: 'flip'; sibling: number; bit: number }
  | { kind: 'truncate' }
  | { kind: 'extend'; extra: Uint8Array }
  | { kind: 'drop-first' }
  | { kind: 'leaf'; field: 'key' | 'valueHash'; bit: number }
  | { kind: 'other-key'; seed: number }
  | { kind: 'other-value'; extra: number };

const proofTamper: fc.Arbitrary<ProofTamper> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), sibling: fc.nat(), bit: fc.integer({ min: 0, max: 255 }) }),
  fc.constant({ kind: 'truncate' as const }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.oneof(fc.constant(new Uint8Array(32)), fc.uint8Array({ minLength: 32, maxLength: 32 })) }),
  fc.constant({ kind: 'drop-first' as const }),
  fc.record({ kind: fc.constant('leaf' as const), field: fc.constantFrom('key' as const, 'valueHash' as const), bit: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('other-key' as const), seed: keySeed }),
  fc.record({ kind: fc.constant('other-value' as const), extra: fc.integer({ min: 0, max: 255 }) }),
);

test('sparse: any tampered proof, key or value is rejected', () => {
  fc.assert(
    fc.property(entries, keySeed, proofTamper, (pairs, probe, tamper) => {
      const tree = treeOf(pairs);
      const root = tree.root;
      let claimKey = key(probe);
      const { proof, value: claimed } = tree.prove(claimKey);
      let claimValue = claimed;
      const siblings: Uint8Array[] = proof.siblings.map((sibling) => sibling.slice());
      let leaf = proof.leaf === null ? null : { key: proof.leaf.key.slice(), valueHash: proof.leaf.valueHash.slice() };
      switch (tamper.kind) {
        case 'flip': {
          const sibling = siblings[tamper.sibling % Math.max(siblings.length, 1)];
          if (sibling === undefined) return;
          sibling[tamper.bit >> 3] = (sibling[tamper.bit >> 3] ?? 0) ^ (1 << (tamper.bit & 7));
          break;
        }
        case 'truncate':
        case 'drop-first':
          if (siblings.length === 0) return;
          if (tamper.kind === 'truncate') siblings.pop();
          else siblings.shift();
          break;
        case 'extend':
          siblings.push(tamper.extra);
          break;
        case 'leaf': {
          if (leaf === null) return;
          const field = leaf[tamper.field];
          field[tamper.bit >> 3] = (field[tamper.bit >> 3] ?? 0) ^ (1 << (tamper.bit & 7));
          break;
        }
        case 'other-key': {
          if (tamper.seed === probe) return;
          claimKey = key(tamper.seed);
          // A non-membership proof through an empty subtree or another key's leaf may prove
          // the other key absent too; that is a true statement, not a forgery.
          if (claimValue === null) return;
          break;
        }
        case 'other-value':
          claimValue = claimValue === null ? Uint8Array.of(tamper.extra) : Uint8Array.of(...claimValue, tamper.extra);
          break;
      }
      const tampered: SparseProof = { siblings, leaf };
      assert.throws(() => verifySparseProof(root, claimKey, claimValue, tampered), isAgentError);
    }),
    { numRuns: 600 },
  );
});

test('sparse: proofs at an earlier root stay provable when history is kept', () => {
  const tree = new SparseMerkleTree(new MemorySparseNodeStore(), sparseEmptyHash, { keepHistory: true });
  tree.update([{ key: key(1), value: Uint8Array.of(1) }]);
  const before = tree.root;
  tree.update([{ key: key(1), value: Uint8Array.of(2) }, { key: key(2), value: Uint8Array.of(3) }]);
  const old = tree.prove(key(1), before);
  assert.deepEqual(old.value, Uint8Array.of(1));
  verifySparseMembership(before, key(1), Uint8Array.of(1), old.proof);
  assert.throws(() => verifySparseMembership(tree.root, key(1), Uint8Array.of(1), old.proof), isAgentError);
});

test('sparse: the update is pure: the old root stays readable until the caller deletes stale nodes', () => {
  const store = new MemorySparseNodeStore();
  const tree = new SparseMerkleTree(store);
  const first = tree.update([1, 2, 3].map((seed) => ({ key: key(seed), value: Uint8Array.of(seed) })));
  const batch = applySparseUpdates(store, first, [{ key: key(2), value: null }]);
  assert.ok(batch.stale.length > 0);
  assert.deepEqual(tree.get(key(2), first), Uint8Array.of(2));
  for (const { hash, node } of batch.created) assert.deepEqual(hashOfSparseNode(node), hash);
});

test('sparse: boundary checks are typed errors', () => {
  const tree = new SparseMerkleTree();
  assert.throws(() => tree.set(new Uint8Array(31), Uint8Array.of(1)), hasCode('MERKLE_BAD_HASH'));
  assert.throws(() => tree.set(key(1), new Uint8Array(257)), hasCode('MERKLE_BAD_VALUE'));
  const tooDeep: SparseProof = { siblings: Array.from({ length: 257 }, () => new Uint8Array(32)), leaf: null };
  assert.throws(() => verifySparseNonMembership(sparseEmptyHash, key(1), tooDeep), hasCode('MERKLE_PROOF_LENGTH'));
  // Another key's leaf proves absence only on the queried key's path.
  const single = treeOf([[5, Uint8Array.of(5)]]);
  const { proof } = single.prove(key(6));
  assert.notEqual(proof.leaf, null);
  verifySparseNonMembership(single.root, key(6), proof);
  const topBit = (seed: number): number => (key(seed)[0] ?? 0) >> 7;
  const elsewhere = Array.from({ length: 50 }, (_, seed) => seed).find((seed) => topBit(seed) !== topBit(5)) ?? -1;
  const offPath: SparseProof = { siblings: [new Uint8Array(32).fill(1)], leaf: proof.leaf };
  assert.throws(() => verifySparseNonMembership(single.root, key(elsewhere), offPath), hasCode('MERKLE_KEY_MISMATCH'));
});

test('sparse proof codec: golden bytes', () => {
  // Keys 1, 2, 3 start 0x47…, 0x99…, 0x9b…: key 1 sits alone on the left; keys 2 and 3 part at bit 6.
  const tree = treeOf([[1, Uint8Array.of(0x01)], [2, Uint8Array.of(0x02)], [3, Uint8Array.of(0x03)]]);
  assert.equal(bytesToHex(tree.root), referenceOf([[1, Uint8Array.of(0x01)], [2, Uint8Array.of(0x02)], [3, Uint8Array.of(0x03)]]));
  assert.equal(bytesToHex(tree.root), '73fadaffe72b399c40f619e594bbb71bf05c6ef3637833c88264a762502fe395');
  const member = [
    '01', // terminal: a leaf
    '0007', // depth 7
    '82', // bitmap 1000 0010: siblings at depths 1 and 7; depths 2-6 are empty
    'a0798bb3e7635448023c5fb7f06f0d4b47a2dff29cb184d833c3a364757c8c96', // depth 1: key 1's leaf
    'b2716859e04209874139b475eb2bd859fbdc2b49eab10585320769d3dc6caf4b', // depth 7: key 3's leaf
    '99be5efb88ca2013bd8e4eb035fd42d5245468fe9afa70d8ba9c1c419a48c4e8', // key 2
    'dbc1b4c900ffe48d575b5da5c638040125f65db0fe3e24494b76ea986457d986', // SHA256(0x02)
  ].join('');
  assert.equal(bytesToHex(encodeSparseProof(tree.prove(key(2)).proof)), member);
  const absent = [
    '00', // terminal: an empty subtree
    '0003', // depth 3
    'a0', // bitmap 1010 0000: siblings at depths 1 and 3
    'a0798bb3e7635448023c5fb7f06f0d4b47a2dff29cb184d833c3a364757c8c96',
    'b8be12b69ad7952efb0d2f2831d96e503f2b8a4dd4ea57fa4cea622b15851159',
  ].join('');
  assert.equal(bytesToHex(encodeSparseProof(tree.prove(key(9)).proof)), absent);
  assert.equal(bytesToHex(encodeSparseProof(new SparseMerkleTree().prove(key(1)).proof)), '000000');
});

test('sparse proof codec: random bytes decode canonically or fail only with typed errors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        const proof = decodeSparseProof(bytes);
        assert.equal(bytesToHex(encodeSparseProof(proof)), bytesToHex(bytes), 'one proof, one encoding');
      } catch (error) {
        assert.ok(isAgentError(error), String(error));
      }
    }),
    { numRuns: 1000 },
  );
  // Structured fuzz: a valid header with a random bitmap and body.
  fc.assert(
    fc.property(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 20 }), fc.uint8Array({ maxLength: 400 }), (terminal, depth, body) => {
      const bytes = Uint8Array.of(terminal, 0, depth, ...body);
      try {
        assert.equal(bytesToHex(encodeSparseProof(decodeSparseProof(bytes))), bytesToHex(bytes));
      } catch (error) {
        assert.ok(isAgentError(error), String(error));
      }
    }),
    { numRuns: 1000 },
  );
  assert.throws(() => decodeSparseProof(Uint8Array.of(0, 0, 8, 0x80, ...new Uint8Array(32))), hasCode('MERKLE_BAD_ENCODING'));
  assert.throws(() => decodeSparseProof(Uint8Array.of(0, 0, 4, 0x08)), hasCode('MERKLE_BAD_ENCODING'));
  assert.throws(() => decodeSparseProof(Uint8Array.of(0, 1, 1)), hasCode('MERKLE_BAD_ENCODING'));
});

test('sparse node storage codec round-trips', () => {
  const tree = treeOf([[1, Uint8Array.of(1, 2, 3)], [2, Uint8Array.of()]]);
  const root = tree.store.getNode(tree.root);
  assert.ok(root !== undefined && root.kind === 'internal');
  for (const node of [root, tree.store.getNode(root.left), tree.store.getNode(root.right)]) {
    assert.ok(node !== undefined);
    assert.deepEqual(decodeSparseNode(encodeSparseNode(node)), node);
  }
  assert.throws(() => decodeSparseNode(Uint8Array.of(3)), hasCode('MERKLE_BAD_ENCODING'));
});
