import assert from 'node:assert/strict';
import { bytesToHex } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { claimId, decodeAttestation, encodeAttestation, verifyAttestations, type TrustedSnapshot } from './attestation.ts';
import { checkBootstrapLimits, defaultBootstrapLimits, type BootstrapLimits } from './bootstrap-limits.ts';
import { verifyChunk } from './chunk-verify.ts';
import type { Attestation, SnapshotChunk, SnapshotClaim, Verified } from './types.ts';

/**
 * Snapshot bootstrap as a pure state machine (docs/PROTOCOL.md "Snapshots", sequence diagram):
 * `step(state, event, nowMs)` does no I/O and returns effects for the shell to carry out — ask
 * sources for attestations or chunks, write a verified chunk, finish the import, blame a source,
 * hand the tip to the chain follower. Like the consensus machine it updates `state` in place
 * and returns it: the caller hands the state over and keeps no other reference.
 *
 *   attesting: every source is asked for the attestations it holds (any source may relay any
 *     authority's signatures); when all have answered, or the timeout passes, the trustnet rule
 *     picks the newest snapshot every configured authority signed (verifyAttestations).
 *   fetching: chunks are requested within a window after the next chunk to write, at most
 *     chunksInFlightMax at once and chunksInFlightPerSourceMax per source, least-loaded source
 *     first; each chunk is verified on arrival; a bad or late chunk strikes its source (blame) and
 *     is asked of another; verified chunks are written strictly in order, one at a time.
 *   finishing: the shell checks the imported state against the attested header.
 *   done: `follow` hands (height, block hash) to the caller, who follows the chain from there.
 */

export type BootstrapConfig = {
  /** The chain's parameters hash: attestations for any other chain are dropped. */
  readonly chainId: Uint8Array;
  /** The trustnet: every one of these keys must sign the snapshot. */
  readonly authorities: readonly Uint8Array[];
  /** Opaque peer names the shell knows how to reach; they serve attestations and chunks. */
  readonly sources: readonly string[];
  readonly limits?: Partial<BootstrapLimits>;
};

/** An interrupted import (SnapshotImporter.status): its attestations are verified again. */
export type BootstrapResume = {
  readonly claim: SnapshotClaim;
  readonly attestations: readonly Attestation[];
  readonly chunksWritten: number;
};

export type BootstrapPhase = 'idle' | 'attesting' | 'fetching' | 'finishing' | 'done' | 'failed';

type SourceState = { inFlight: number; strikes: number; banned: boolean };

export type BootstrapState = {
  readonly config: BootstrapConfig;
  readonly limits: BootstrapLimits;
  readonly resume: BootstrapResume | null;
  phase: BootstrapPhase;
  attestingSinceMs: number;
  /** Sources asked for attestations that have not answered. */
  awaiting: Set<string>;
  /** Attestations received, decoded, each once (by its bytes). */
  attestations: Map<string, Attestation>;
  trusted: TrustedSnapshot | null;
  nextToWrite: number;
  writing: boolean;
  /** Verified chunks waiting for the ones before them to be written. */
  buffered: Map<number, Verified<SnapshotChunk>>;
  inFlight: Map<number, { readonly source: string; readonly sentAtMs: number }>;
  sources: Map<string, SourceState>;
  /** Sources that failed or refused a chunk are not asked for it again. */
  refused: Map<number, Set<string>>;
  /** Where the search for the least-loaded source starts, so ties rotate. */
  cursor: number;
  error: AgentError | null;
};

export type BootstrapEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'attestations'; readonly source: string; readonly attestations: readonly Uint8Array[] }
  | { readonly kind: 'chunk'; readonly source: string; readonly index: number; readonly bytes: Uint8Array; readonly proof: Uint8Array }
  /** The source does not hold the chunk (not a fault: it is asked for nothing it said it lacks). */
  | { readonly kind: 'chunk-unavailable'; readonly source: string; readonly index: number }
  | { readonly kind: 'chunk-written'; readonly index: number }
  | { readonly kind: 'import-finished' }
  /** Writing a chunk or finishing failed: the attested state contradicts itself, or the disk failed. */
  | { readonly kind: 'import-failed'; readonly error: AgentError }
  | { readonly kind: 'tick' };

export type BootstrapEffect =
  | { readonly kind: 'request-attestations'; readonly source: string }
  /** Start (or continue) the import of this snapshot: SnapshotImporter.begin. */
  | { readonly kind: 'begin-import'; readonly trusted: TrustedSnapshot }
  /** Chunk `index` of the snapshot with this state root (a source may hold several snapshots). */
  | { readonly kind: 'request-chunk'; readonly source: string; readonly stateRoot: Uint8Array; readonly index: number }
  /** Write it (SnapshotImporter.writeChunk), then report chunk-written. */
  | { readonly kind: 'write-chunk'; readonly chunk: Verified<SnapshotChunk> }
  /** SnapshotImporter.finish, then report import-finished or import-failed. */
  | { readonly kind: 'finish-import' }
  /** The source sent a bad chunk or none in time: lower its standing. */
  | { readonly kind: 'blame'; readonly source: string; readonly index: number; readonly error: AgentError }
  | { readonly kind: 'log'; readonly reason: string }
  /** Done: the ledger holds block `height`; follow the chain from height + 1. */
  | { readonly kind: 'follow'; readonly height: number; readonly blockHash: Uint8Array }
  | { readonly kind: 'failed'; readonly error: AgentError };

export type BootstrapStep = { readonly state: BootstrapState; readonly effects: BootstrapEffect[] };

export function initialBootstrapState(config: BootstrapConfig, resume: BootstrapResume | null = null): BootstrapState {
  const limits = checkBootstrapLimits({ ...defaultBootstrapLimits, ...config.limits });
  assert.ok(new Set(config.sources).size === config.sources.length, 'bootstrap: sources are distinct');
  return {
    config,
    limits,
    resume,
    phase: 'idle',
    attestingSinceMs: 0,
    awaiting: new Set(),
    attestations: new Map(),
    trusted: null,
    nextToWrite: 0,
    writing: false,
    buffered: new Map(),
    inFlight: new Map(),
    sources: new Map(config.sources.map((source) => [source, { inFlight: 0, strikes: 0, banned: false }])),
    refused: new Map(),
    cursor: 0,
    error: null,
  };
}

export function stepBootstrap(state: BootstrapState, event: BootstrapEvent, nowMs: number): BootstrapStep {
  const effects: BootstrapEffect[] = [];
  if (state.phase === 'done' || state.phase === 'failed') {
    effects.push({ kind: 'log', reason: `bootstrap ${state.phase}: ${event.kind} ignored` });
    return { state, effects };
  }
  try {
    handle(state, event, nowMs, effects);
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    state.phase = 'failed';
    state.error = error;
    effects.push({ kind: 'failed', error });
  }
  return { state, effects };
}

function handle(state: BootstrapState, event: BootstrapEvent, nowMs: number, effects: BootstrapEffect[]): void {
  switch (event.kind) {
    case 'start':
      return start(state, nowMs, effects);
    case 'attestations':
      return receiveAttestations(state, event.source, event.attestations, nowMs, effects);
    case 'chunk':
      return receiveChunk(state, event, nowMs, effects);
    case 'chunk-unavailable': {
      if (!release(state, event.source, event.index, effects)) return;
      refuse(state, event.index, event.source);
      effects.push({ kind: 'log', reason: `source ${event.source} lacks chunk ${event.index}` });
      return schedule(state, nowMs, effects);
    }
    case 'chunk-written':
      return chunkWritten(state, event.index, nowMs, effects);
    case 'import-finished': {
      assert.equal(state.phase, 'finishing', 'bootstrap: import-finished while not finishing');
      const claim = state.trusted!.claim;
      state.phase = 'done';
      effects.push({ kind: 'follow', height: claim.height, blockHash: claim.blockHash });
      return;
    }
    case 'import-failed':
      throw event.error;
    case 'tick':
      return tick(state, nowMs, effects);
  }
}

function start(state: BootstrapState, nowMs: number, effects: BootstrapEffect[]): void {
  if (state.phase !== 'idle') {
    effects.push({ kind: 'log', reason: 'bootstrap: start while already started' });
    return;
  }
  const { resume, config } = state;
  if (resume !== null) {
    // The stored attestations must still satisfy the configured trustnet, for the same claim.
    const trusted = verifyAttestations(config.authorities, resume.attestations, config.chainId);
    if (claimId(trusted.claim) !== claimId(resume.claim)) throw new AgentError('SNAPSHOT_IMPORT_NOT_FRESH', `bootstrap: the stored attestations are for height ${trusted.claim.height}, the import for ${resume.claim.height}`);
    return trust(state, trusted, resume.chunksWritten, nowMs, effects);
  }
  if (config.sources.length === 0) throw new AgentError('SNAPSHOT_NO_SOURCE', 'bootstrap: no sources configured');
  state.phase = 'attesting';
  state.attestingSinceMs = nowMs;
  for (const source of config.sources) {
    state.awaiting.add(source);
    effects.push({ kind: 'request-attestations', source });
  }
}

function receiveAttestations(state: BootstrapState, source: string, encoded: readonly Uint8Array[], nowMs: number, effects: BootstrapEffect[]): void {
  if (state.phase !== 'attesting' || !state.awaiting.delete(source)) {
    effects.push({ kind: 'log', reason: `attestations from ${source} not asked for: dropped` });
    return;
  }
  const kept = encoded.slice(0, state.limits.attestationsPerAnswerMax);
  if (kept.length < encoded.length) effects.push({ kind: 'log', reason: `${source} sent ${encoded.length} attestations; the first ${kept.length} kept` });
  for (const bytes of kept) {
    try {
      const attestation = decodeAttestation(bytes);
      state.attestations.set(bytesToHex(encodeAttestation(attestation)), attestation);
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      effects.push({ kind: 'log', reason: `attestation from ${source} dropped: ${error.message}` });
    }
  }
  if (state.awaiting.size === 0) decide(state, nowMs, effects);
}

function decide(state: BootstrapState, nowMs: number, effects: BootstrapEffect[]): void {
  const trusted = verifyAttestations(state.config.authorities, [...state.attestations.values()], state.config.chainId);
  effects.push({ kind: 'begin-import', trusted });
  trust(state, trusted, 0, nowMs, effects);
}

function trust(state: BootstrapState, trusted: TrustedSnapshot, chunksWritten: number, nowMs: number, effects: BootstrapEffect[]): void {
  state.trusted = trusted;
  state.nextToWrite = chunksWritten;
  state.awaiting.clear();
  if (chunksWritten >= trusted.claim.chunkCount) {
    state.phase = 'finishing';
    effects.push({ kind: 'finish-import' });
    return;
  }
  state.phase = 'fetching';
  schedule(state, nowMs, effects);
}

function receiveChunk(state: BootstrapState, event: Extract<BootstrapEvent, { kind: 'chunk' }>, nowMs: number, effects: BootstrapEffect[]): void {
  if (!release(state, event.source, event.index, effects)) return;
  let chunk: Verified<SnapshotChunk>;
  try {
    chunk = verifyChunk(state.trusted!.claim, event.index, event.bytes, event.proof);
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    fault(state, event.source, event.index, error, effects);
    return schedule(state, nowMs, effects);
  }
  state.buffered.set(event.index, chunk);
  flush(state, effects);
  schedule(state, nowMs, effects);
}

function chunkWritten(state: BootstrapState, index: number, nowMs: number, effects: BootstrapEffect[]): void {
  assert.ok(state.phase === 'fetching' && state.writing && index === state.nextToWrite, `bootstrap: chunk-written ${index} not asked for`);
  state.writing = false;
  state.refused.delete(index);
  state.nextToWrite++;
  if (state.nextToWrite === state.trusted!.claim.chunkCount) {
    state.phase = 'finishing';
    effects.push({ kind: 'finish-import' });
    return;
  }
  flush(state, effects);
  schedule(state, nowMs, effects);
}

function tick(state: BootstrapState, nowMs: number, effects: BootstrapEffect[]): void {
  if (state.phase === 'attesting' && nowMs - state.attestingSinceMs >= state.limits.attestationTimeoutMs) {
    effects.push({ kind: 'log', reason: `no attestations in time from ${[...state.awaiting].join(', ')}: deciding with what arrived` });
    return decide(state, nowMs, effects);
  }
  if (state.phase !== 'fetching') return;
  for (const [index, request] of [...state.inFlight]) {
    if (nowMs - request.sentAtMs < state.limits.chunkTimeoutMs) continue;
    release(state, request.source, index, effects);
    fault(state, request.source, index, new AgentError('SNAPSHOT_CHUNK_TIMEOUT', `chunk ${index}: no answer from ${request.source} in ${state.limits.chunkTimeoutMs} ms`), effects);
  }
  schedule(state, nowMs, effects);
}

/** Ends the request for `index` if `source` holds it; false (and a log) for anything unsolicited. */
function release(state: BootstrapState, source: string, index: number, effects: BootstrapEffect[]): boolean {
  const request = state.phase === 'fetching' ? state.inFlight.get(index) : undefined;
  if (request === undefined || request.source !== source) {
    effects.push({ kind: 'log', reason: `chunk ${index} from ${source} not asked for (or too late): dropped` });
    return false;
  }
  state.inFlight.delete(index);
  state.sources.get(source)!.inFlight--;
  return true;
}

/** A bad or missing chunk: blame the source, strike it, ask someone else. */
function fault(state: BootstrapState, source: string, index: number, error: AgentError, effects: BootstrapEffect[]): void {
  effects.push({ kind: 'blame', source, index, error });
  refuse(state, index, source);
  const standing = state.sources.get(source)!;
  standing.strikes++;
  if (!standing.banned && standing.strikes >= state.limits.sourceStrikesMax) {
    standing.banned = true;
    effects.push({ kind: 'log', reason: `source ${source}: ${standing.strikes} strikes, asked for nothing more` });
  }
}

function refuse(state: BootstrapState, index: number, source: string): void {
  const refused = state.refused.get(index) ?? new Set<string>();
  refused.add(source);
  state.refused.set(index, refused);
}

/** Hands the next chunk in order to the writer, one write at a time. */
function flush(state: BootstrapState, effects: BootstrapEffect[]): void {
  if (state.writing) return;
  const chunk = state.buffered.get(state.nextToWrite);
  if (chunk === undefined) return;
  state.buffered.delete(state.nextToWrite);
  state.writing = true;
  effects.push({ kind: 'write-chunk', chunk });
}

/** Requests missing chunks of the window, within the in-flight limits. */
function schedule(state: BootstrapState, nowMs: number, effects: BootstrapEffect[]): void {
  const { limits } = state;
  const end = Math.min(state.trusted!.claim.chunkCount, state.nextToWrite + limits.chunkWindow);
  for (let index = state.nextToWrite; index < end && state.inFlight.size < limits.chunksInFlightMax; index++) {
    if (state.buffered.has(index) || state.inFlight.has(index) || (state.writing && index === state.nextToWrite)) continue;
    const refused = state.refused.get(index);
    const candidates = state.config.sources.filter((source) => !state.sources.get(source)!.banned && refused?.has(source) !== true);
    if (candidates.length === 0) throw new AgentError('SNAPSHOT_NO_SOURCE', `bootstrap: every source failed, refused or was dropped for chunk ${index}`);
    const source = leastLoaded(state, candidates);
    if (source === undefined) continue; // all busy: a later answer frees one
    state.inFlight.set(index, { source, sentAtMs: nowMs });
    state.sources.get(source)!.inFlight++;
    effects.push({ kind: 'request-chunk', source, stateRoot: state.trusted!.claim.stateRoot, index });
  }
}

function leastLoaded(state: BootstrapState, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestLoad = state.limits.chunksInFlightPerSourceMax;
  for (let offset = 0; offset < candidates.length; offset++) {
    const source = candidates[(state.cursor + offset) % candidates.length]!;
    const load = state.sources.get(source)!.inFlight;
    if (load < bestLoad) {
      best = source;
      bestLoad = load;
    }
  }
  state.cursor++;
  return best;
}
