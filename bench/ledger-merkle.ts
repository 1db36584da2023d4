import {
  MerkleLog,
  SparseMerkleTree,
  encodeLogInclusionProof,
  encodeOutpointStatus,
  encodeSparseProof,
  hashSparseNode,
  hashSparseValue,
  verifyConsistency,
  verifyInclusion,
  verifySparseProof,
  type SparseProof,
} from '../agent/index.ts';
import { seededRng } from '../names/index.ts';
import { report, type JsonValue } from './report.ts';

/**
 * Merkle part of `npm run bench -- ledger`: proof generation and verification per second at
 * 1M entries, for the outpoint sparse tree and for the transaction log, plus build times.
 * `run(args)` returns plain numbers; `--entries N` changes the size (default 1,000,000),
 * `--seconds S` the time spent on each rate (default 1).
 */

export type LedgerMerkleBenchResult = {
  entries: number;
  /** Sparse tree (outpoint → status), built as one batch of `entries` keys. */
  smtBuildSeconds: number;
  smtBuildKeysPerSec: number;
  smtNodes: number;
  /** Block-sized batches on the full tree: 1,000 spends + 1,000 new outputs each. */
  smtBlockUpdatesPerSec: number;
  smtProofGeneratePerSec: number;
  smtProofVerifyPerSec: number;
  smtNonMembershipVerifyPerSec: number;
  smtProofDepthMean: number;
  smtProofBytesMean: number;
  /** What a fixed 256-level tree would cost: 256 node hashes per verification, per leaf on build. */
  smtFixedDepthVerifyPerSecEstimate: number;
  smtFixedDepthBuildSecondsEstimate: number;
  /** RFC 9162 transaction log of `entries` leaves. */
  logAppendPerSec: number;
  logProofGeneratePerSec: number;
  logProofVerifyPerSec: number;
  logConsistencyGeneratePerSec: number;
  logConsistencyVerifyPerSec: number;
  logProofBytesMean: number;
  /** The headline number: outpoint proofs verified per second at `entries` UTXOs. */
  proofVerifyPerSec: number;
  rssMegabytes: number;
};

function option(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const inline = args.find((arg) => arg.startsWith(`${name}=`));
  const text = inline?.slice(name.length + 1) ?? (index >= 0 ? args[index + 1] : undefined);
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Runs `operation(i)` for about `seconds` and returns operations per second. */
function rate(seconds: number, operation: (iteration: number) => void): number {
  const started = performance.now();
  let iterations = 0;
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (let batch = 0; batch < 64; batch++) operation(iterations++);
    elapsed = performance.now() - started;
  }
  return Math.round((iterations * 1000) / elapsed);
}

function counterKey(counter: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, counter);
  return hashSparseValue(bytes);
}

function benchSparse(entries: number, seconds: number): Partial<LedgerMerkleBenchResult> {
  const rng = seededRng(1);
  const values = Array.from({ length: 16 }, (_, index) =>
    encodeOutpointStatus(index % 2 === 0 ? { state: 'unspent', outputHash: rng.bytes(32) } : { state: 'spent', spentAtHeight: index, outputHash: rng.bytes(32) }),
  );
  const valueAt = (index: number): Uint8Array => values[index % values.length] as Uint8Array;
  const keys = Array.from({ length: entries }, (_, index) => counterKey(index));
  const tree = new SparseMerkleTree();
  const buildStarted = performance.now();
  tree.update(keys.map((key, index) => ({ key, value: valueAt(index) })));
  const smtBuildSeconds = (performance.now() - buildStarted) / 1000;

  let fresh = entries;
  const blocks = 5;
  const blockStarted = performance.now();
  for (let block = 0; block < blocks; block++) {
    const updates = [];
    for (let change = 0; change < 1000; change++) {
      updates.push({ key: keys[rng.below(entries)] as Uint8Array, value: valueAt(change + 1) });
      updates.push({ key: counterKey(fresh++), value: valueAt(change) });
    }
    tree.update(updates);
  }
  const smtBlockUpdatesPerSec = Math.round((blocks * 2000 * 1000) / (performance.now() - blockStarted));

  const root = tree.root;
  const samples: { key: Uint8Array; value: Uint8Array | null; proof: SparseProof }[] = [];
  const smtProofGeneratePerSec = rate(seconds, () => {
    const key = keys[rng.below(entries)] as Uint8Array;
    const { proof, value } = tree.prove(key);
    if (samples.length < 4096) samples.push({ key, value, proof });
  });
  const smtProofVerifyPerSec = rate(seconds, (iteration) => {
    const sample = samples[iteration % samples.length];
    if (sample !== undefined) verifySparseProof(root, sample.key, sample.value, sample.proof);
  });
  const absent = Array.from({ length: 1024 }, (_, index) => {
    const key = counterKey(-1 - index);
    return { key, proof: tree.prove(key).proof };
  });
  const smtNonMembershipVerifyPerSec = rate(seconds, (iteration) => {
    const sample = absent[iteration % absent.length];
    if (sample !== undefined) verifySparseProof(root, sample.key, null, sample.proof);
  });
  const depthSum = samples.reduce((sum, sample) => sum + sample.proof.siblings.length, 0);
  const bytesSum = samples.reduce((sum, sample) => sum + encodeSparseProof(sample.proof).length, 0);

  const zero = new Uint8Array(32);
  const nodeHashesPerSec = rate(seconds, () => hashSparseNode(zero, zero));
  return {
    smtBuildSeconds: Number(smtBuildSeconds.toFixed(2)),
    smtBuildKeysPerSec: Math.round(entries / smtBuildSeconds),
    smtNodes: (tree.store as { size?: number }).size ?? 0,
    smtBlockUpdatesPerSec,
    smtProofGeneratePerSec,
    smtProofVerifyPerSec,
    smtNonMembershipVerifyPerSec,
    smtProofDepthMean: Number((depthSum / samples.length).toFixed(2)),
    smtProofBytesMean: Math.round(bytesSum / samples.length),
    smtFixedDepthVerifyPerSecEstimate: Math.round(nodeHashesPerSec / 256),
    smtFixedDepthBuildSecondsEstimate: Math.round((entries * 256) / nodeHashesPerSec),
    proofVerifyPerSec: smtProofVerifyPerSec,
    rssMegabytes: Math.round(process.memoryUsage().rss / 1e6),
  };
}

function benchLog(entries: number, seconds: number): Partial<LedgerMerkleBenchResult> {
  const rng = seededRng(2);
  const log = new MerkleLog();
  const leaf = new Uint8Array(32);
  const appendStarted = performance.now();
  for (let index = 0; index < entries; index++) {
    new DataView(leaf.buffer).setUint32(0, index);
    log.appendData(leaf);
  }
  const logAppendPerSec = Math.round((entries * 1000) / (performance.now() - appendStarted));
  const root = log.root();
  const inclusion: { index: number; leafHash: Uint8Array; path: Uint8Array[] }[] = [];
  const logProofGeneratePerSec = rate(seconds, () => {
    const index = rng.below(entries);
    const path = log.inclusionPath(index);
    if (inclusion.length < 4096) inclusion.push({ index, leafHash: log.leafHash(index), path });
  });
  const logProofVerifyPerSec = rate(seconds, (iteration) => {
    const sample = inclusion[iteration % inclusion.length];
    if (sample !== undefined) verifyInclusion(sample.index, entries, sample.leafHash, sample.path, root);
  });
  const consistency: { size1: number; root1: Uint8Array; proof: Uint8Array[] }[] = [];
  const logConsistencyGeneratePerSec = rate(seconds, () => {
    const size1 = 1 + rng.below(entries);
    const proof = log.consistencyPath(size1);
    if (consistency.length < 1024) consistency.push({ size1, root1: log.root(size1), proof });
  });
  const logConsistencyVerifyPerSec = rate(seconds, (iteration) => {
    const sample = consistency[iteration % consistency.length];
    if (sample !== undefined) verifyConsistency(sample.size1, entries, sample.root1, root, sample.proof);
  });
  const bytesSum = inclusion.reduce((sum, sample) => sum + encodeLogInclusionProof({ leafIndex: sample.index, treeSize: entries, path: sample.path }).length, 0);
  return {
    logAppendPerSec,
    logProofGeneratePerSec,
    logProofVerifyPerSec,
    logConsistencyGeneratePerSec,
    logConsistencyVerifyPerSec,
    logProofBytesMean: Math.round(bytesSum / inclusion.length),
  };
}

/** Measures and returns the numbers (bench/ledger.ts calls this for its proof rows). */
export function measureMerkle(args: readonly string[] = []): LedgerMerkleBenchResult {
  const entries = Math.floor(option(args, '--entries', 1_000_000));
  const seconds = option(args, '--seconds', 1);
  const log = benchLog(entries, seconds);
  const sparse = benchSparse(entries, seconds);
  return { entries, ...log, ...sparse } as LedgerMerkleBenchResult;
}

/** `npm run bench -- ledger-merkle [--entries N] [--seconds S] [--json]`. */
export function run(args: readonly string[] = []): void {
  const result = measureMerkle(args);
  const rows = Object.entries(result).map(([measurement, value]) => ({ measurement, value: String(value) }));
  report('ledger-merkle', result as unknown as { [key: string]: JsonValue }, rows);
}
