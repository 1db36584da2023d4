import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogFrontier, MerkleLog, verifyConsistency, verifyInclusion, verifySubtreeConsistency, verifySubtreeInclusion } from '../../agent/index.ts';
import { bytesToHex, hexToBytes } from '../../names/index.ts';
import {
  allSubtrees,
  referenceConsistency,
  referenceLogLeaf,
  referencePath,
  referenceRoot,
  referenceSubtreeConsistency,
} from './reference.ts';
import { merkleVectorRoot } from './vectors.ts';

type TestTree = {
  leaf_inputs_hex: string[];
  node_hashes_by_level_hex: string[][];
  root_hashes_by_tree_size_hex: string[];
};

const tree = JSON.parse(readFileSync(join(merkleVectorRoot, 'rfc6962-test-tree.json'), 'utf8')) as TestTree;
const hex = (list: readonly Uint8Array[]): string[] => list.map(bytesToHex);

function logOf(inputs: readonly Uint8Array[]): MerkleLog {
  const log = new MerkleLog();
  for (const data of inputs) log.appendData(data);
  return log;
}

test('rfc6962-test-tree: 8 leaves, roots for sizes 0..8, every complete subtree', () => {
  assert.equal(tree.leaf_inputs_hex.length, 8);
  assert.equal(tree.root_hashes_by_tree_size_hex.length, 9);
  const log = logOf(tree.leaf_inputs_hex.map(hexToBytes));
  for (const [size, root] of tree.root_hashes_by_tree_size_hex.entries()) {
    assert.equal(bytesToHex(log.root(size)), root, `root of size ${size}`);
    const frontier = LogFrontier.fromLeafData(tree.leaf_inputs_hex.slice(0, size).map(hexToBytes));
    assert.equal(bytesToHex(frontier.root()), root, `frontier root of size ${size}`);
  }
  let checked = 0;
  for (const [level, hashes] of tree.node_hashes_by_level_hex.entries()) {
    for (const [index, hash] of hashes.entries()) {
      assert.equal(bytesToHex(log.subtreeHash(index * 2 ** level, (index + 1) * 2 ** level)), hash, `node ${level}/${index}`);
      checked++;
    }
  }
  assert.equal(checked, 15);
});

test('rfc6962-test-tree: every proof the generator makes verifies', () => {
  const log = logOf(tree.leaf_inputs_hex.map(hexToBytes));
  let proofs = 0;
  for (let size = 1; size <= 8; size++) {
    const root = log.root(size);
    for (let index = 0; index < size; index++) {
      verifyInclusion(index, size, log.leafHash(index), log.inclusionPath(index, size), root);
      proofs++;
    }
    for (let size1 = 1; size1 <= size; size1++) {
      verifyConsistency(size1, size, log.root(size1), root, log.consistencyPath(size1, size));
      proofs++;
    }
    for (const [start, end] of allSubtrees(size)) {
      verifySubtreeConsistency(start, end, size, log.subtreeHash(start, end), root, log.subtreeConsistencyPath(start, end, size));
      for (let index = start; index < end; index++) {
        verifySubtreeInclusion(index, start, end, log.leafHash(index), log.subtreeInclusionPath(index, start, end), log.subtreeHash(start, end));
        proofs++;
      }
      proofs++;
    }
  }
  assert.equal(proofs, 368, "36 inclusion, 36 consistency and 296 subtree proofs; pinned so an empty loop fails");
});

test('the efficient log matches the RFC definitions for every size up to 40', () => {
  const inputs = Array.from({ length: 40 }, (_, index) => Uint8Array.of(index, index >> 8));
  const leaves = inputs.map(referenceLogLeaf);
  const log = logOf(inputs);
  for (let size = 0; size <= 40; size++) {
    const prefix = leaves.slice(0, size);
    assert.equal(bytesToHex(log.root(size)), bytesToHex(referenceRoot(prefix)), `root ${size}`);
    for (let index = 0; index < size; index++) {
      assert.deepEqual(hex(log.inclusionPath(index, size)), hex(referencePath(index, prefix)), `path ${index} of ${size}`);
    }
    for (let size1 = 1; size1 <= size; size1++) {
      assert.deepEqual(hex(log.consistencyPath(size1, size)), hex(referenceConsistency(size1, prefix)), `consistency ${size1} → ${size}`);
    }
  }
});

test('subtree proofs match draft-ietf-plants-merkle-tree-certs §4.4.1 for every subtree of sizes up to 24', () => {
  const inputs = Array.from({ length: 24 }, (_, index) => Uint8Array.of(7, index));
  const leaves = inputs.map(referenceLogLeaf);
  const log = logOf(inputs);
  let count = 0;
  for (let size = 0; size <= 24; size++) {
    const prefix = leaves.slice(0, size);
    for (const [start, end] of allSubtrees(size)) {
      const expected = referenceSubtreeConsistency(start, end, prefix);
      assert.deepEqual(hex(log.subtreeConsistencyPath(start, end, size)), hex(expected), `[${start}, ${end}) in ${size}`);
      assert.equal(bytesToHex(log.subtreeHash(start, end)), bytesToHex(referenceRoot(leaves.slice(start, end))));
      verifySubtreeConsistency(start, end, size, log.subtreeHash(start, end), log.root(size), expected);
      if (end === start + 1) assert.deepEqual(hex(expected), hex(referencePath(start, prefix)), 'a one-leaf subtree proof is PATH');
      count++;
    }
  }
  assert.ok(count > 500, `${count} subtrees`);
});
