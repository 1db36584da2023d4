import assert from 'node:assert/strict';
import {
  snapshotAttestationsPerAnswerMax,
  snapshotAttestationTimeoutMs,
  snapshotChunksInFlightMax,
  snapshotChunksInFlightPerSourceMax,
  snapshotChunkTimeoutMs,
  snapshotChunkWindow,
  snapshotSourceStrikesMax,
} from '../constants.ts';

/** How a bootstrap paces itself; defaults from agent/constants.ts (snapshot group). */
export type BootstrapLimits = {
  readonly chunksInFlightMax: number;
  readonly chunksInFlightPerSourceMax: number;
  /** Chunks requested ahead of the next one to write (and so verified chunks held in memory). */
  readonly chunkWindow: number;
  readonly chunkTimeoutMs: number;
  readonly attestationTimeoutMs: number;
  readonly sourceStrikesMax: number;
  readonly attestationsPerAnswerMax: number;
};

export const defaultBootstrapLimits: BootstrapLimits = Object.freeze({
  chunksInFlightMax: snapshotChunksInFlightMax,
  chunksInFlightPerSourceMax: snapshotChunksInFlightPerSourceMax,
  chunkWindow: snapshotChunkWindow,
  chunkTimeoutMs: snapshotChunkTimeoutMs,
  attestationTimeoutMs: snapshotAttestationTimeoutMs,
  sourceStrikesMax: snapshotSourceStrikesMax,
  attestationsPerAnswerMax: snapshotAttestationsPerAnswerMax,
});

/** Limits that break these relations are a configuration bug: assert. */
export function checkBootstrapLimits(limits: BootstrapLimits): BootstrapLimits {
  for (const [field, value] of Object.entries(limits)) assert.ok(Number.isSafeInteger(value) && value >= 1, `bootstrap limits: ${field} = ${value}`);
  assert.ok(limits.chunksInFlightPerSourceMax <= limits.chunksInFlightMax, 'bootstrap limits: a source\'s share fits the total');
  assert.ok(limits.chunkWindow >= limits.chunksInFlightMax, 'bootstrap limits: the window holds every request in flight');
  assert.ok(limits.attestationsPerAnswerMax <= snapshotAttestationsPerAnswerMax, 'bootstrap limits: answers stay bounded');
  return limits;
}
