import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MerkleLog, SparseMerkleTree, encodeLogConsistencyProof, encodeLogInclusionProof, encodeSparseProof } from '../../agent/index.ts';
import { seededRng, sha256 } from '../../names/index.ts';

/**
 * Proof sizes grow as log N. For N = 2^4 … 2^14 we measure the mean encoded proof size, then
 * assert (a) every step of the curve is bounded by a + b·log2 N for fixed small a, b, and
 * (b) size(2^14) / size(2^7) ≤ 2.5, where linear growth would give 128 and log2 growth 2.
 */

const exponents = Array.from({ length: 11 }, (_, index) => index + 4); // 4..14
const sampleCount = 256;

function assertLogarithmic(
  context: { diagnostic(message: string): void },
  label: string,
  sizes: ReadonlyMap<number, number>,
  perLevelBytesMax: number,
  constantBytesMax: number,
): void {
  context.diagnostic(`${label} mean bytes: ${[...sizes].map(([exponent, bytes]) => `2^${exponent}: ${bytes.toFixed(0)}`).join(', ')}`);
  for (const [exponent, bytes] of sizes) {
    assert.ok(bytes <= constantBytesMax + perLevelBytesMax * exponent, `${label}: ${bytes.toFixed(1)} bytes at N = 2^${exponent}`);
  }
  const ratio = (sizes.get(14) ?? 0) / (sizes.get(7) ?? 1);
  assert.ok(ratio <= 2.5 && ratio >= 1.2, `${label}: size(2^14) / size(2^7) = ${ratio.toFixed(2)}`);
}

test('log proofs grow as log N (inclusion and consistency, N = 2^4..2^14)', (context) => {
  const rng = seededRng(14);
  const log = new MerkleLog();
  const inclusion = new Map<number, number>();
  const consistency = new Map<number, number>();
  for (const exponent of exponents) {
    const size = 2 ** exponent;
    while (log.size < size) log.appendData(Uint8Array.of(log.size & 0xff, log.size >> 8));
    let inclusionBytes = 0;
    let consistencyBytes = 0;
    for (let sample = 0; sample < sampleCount; sample++) {
      inclusionBytes += encodeLogInclusionProof(log.proveInclusion(rng.below(size), size)).length;
      consistencyBytes += encodeLogConsistencyProof(log.proveConsistency(1 + rng.below(size), size)).length;
    }
    inclusion.set(exponent, inclusionBytes / sampleCount);
    consistency.set(exponent, consistencyBytes / sampleCount);
    // For a power of two every inclusion path has exactly log2 N nodes (RFC 9162 §2.1.3.1).
    assert.equal(inclusion.get(exponent), 17 + 32 * exponent);
  }
  assertLogarithmic(context, 'log inclusion', inclusion, 32, 17);
  assertLogarithmic(context, 'log consistency', consistency, 32, 17 + 32);
});

test('sparse proofs grow as log N (membership and non-membership, N = 2^4..2^14 keys)', (context) => {
  const rng = seededRng(256);
  const tree = new SparseMerkleTree();
  const keys: Uint8Array[] = [];
  const member = new Map<number, number>();
  const absent = new Map<number, number>();
  const depth = new Map<number, number>();
  for (const exponent of exponents) {
    const size = 2 ** exponent;
    const batch = [];
    while (keys.length < size) {
      const key = sha256(Uint8Array.of(1), rng.bytes(32));
      keys.push(key);
      batch.push({ key, value: rng.bytes(41) });
    }
    tree.update(batch);
    let memberBytes = 0;
    let absentBytes = 0;
    let depthSum = 0;
    for (let sample = 0; sample < sampleCount; sample++) {
      const { proof } = tree.prove(keys[rng.below(size)] as Uint8Array);
      memberBytes += encodeSparseProof(proof).length;
      depthSum += proof.siblings.length;
      absentBytes += encodeSparseProof(tree.prove(sha256(Uint8Array.of(2), rng.bytes(32))).proof).length;
    }
    member.set(exponent, memberBytes / sampleCount);
    absent.set(exponent, absentBytes / sampleCount);
    depth.set(exponent, depthSum / sampleCount);
    // Random keys: a leaf sits about log2 N + 1.3 deep (a trie with single-leaf subtrees lifted).
    const meanDepth = depth.get(exponent) ?? 0;
    assert.ok(meanDepth >= exponent - 1 && meanDepth <= exponent + 3, `mean depth ${meanDepth.toFixed(2)} at N = 2^${exponent}`);
  }
  // A level costs 32 bytes for its sibling plus a bitmap bit; a leaf proof adds 64 bytes of leaf.
  assertLogarithmic(context, 'sparse membership', member, 40, 3 + 64 + 3 * 32);
  assertLogarithmic(context, 'sparse non-membership', absent, 40, 3 + 64 + 3 * 32);
});
