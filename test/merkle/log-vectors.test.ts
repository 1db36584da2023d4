import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from '../../agent/merkle/index.ts';
import { AgentError, agentErrorCodes } from '../../agent/errors.ts';
import { base64, base64List, merkleVectorRoot, probeFiles, readProbe } from './vectors.ts';

type Probe = { desc: string; wantErr: boolean };
type InclusionProbe = Probe & { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null };
type ConsistencyProbe = Probe & { size1: number; size2: number; root1: string; root2: string; proof: string[] | null };
type SubtreeInclusionProbe = Probe & { leafIdx: number; start: number; end: number; root: string; leafHash: string; proof: string[] | null };
type SubtreeConsistencyProbe = Probe & { start: number; end: number; size: number; root1: string; root2: string; proof: string[] | null };

/** Runs every probe of one kind; returns how many ran so the caller can assert the count. */
function runProbes<T extends Probe>(kind: string, expectedCount: number, verify: (probe: T) => void): void {
  const files = probeFiles(kind);
  test(`transparency-dev ${kind} probes: all ${expectedCount} files are found`, () => {
    assert.equal(files.length, expectedCount);
  });
  for (const file of files) {
    const probe = readProbe<T>(kind, file);
    test(`${kind}/${file}: ${probe.desc} (wantErr ${probe.wantErr})`, () => {
      if (probe.wantErr) {
        assert.throws(
          () => verify(probe),
          (error: unknown) => error instanceof AgentError && agentErrorCodes.has(error.code),
        );
      } else {
        verify(probe);
      }
    });
  }
}

runProbes<InclusionProbe>('inclusion', 98, (probe) =>
  verifyInclusion(probe.leafIdx, probe.treeSize, base64(probe.leafHash), base64List(probe.proof), base64(probe.root)),
);

runProbes<ConsistencyProbe>('consistency', 98, (probe) =>
  verifyConsistency(probe.size1, probe.size2, base64(probe.root1), base64(probe.root2), base64List(probe.proof)),
);

runProbes<SubtreeInclusionProbe>('subtreeinclusion', 204, (probe) =>
  verifySubtreeInclusion(probe.leafIdx, probe.start, probe.end, base64(probe.leafHash), base64List(probe.proof), base64(probe.root)),
);

runProbes<SubtreeConsistencyProbe>('subtreeconsistency', 118, (probe) =>
  verifySubtreeConsistency(probe.start, probe.end, probe.size, base64(probe.root1), base64(probe.root2), base64List(probe.proof)),
);
