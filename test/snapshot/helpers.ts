import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, seededRng, type Rng } from '../../names/index.ts';
import { AgentError } from '../../agent/errors.ts';
import type { Block } from '../../agent/ledger/block-types.ts';
import { SqliteLedgerStore } from '../../agent/ledger/store-sqlite.ts';
import { encodeAttestation, signAttestation } from '../../agent/snapshot/attestation.ts';
import { initialBootstrapState, stepBootstrap, type BootstrapConfig, type BootstrapEffect, type BootstrapEvent, type BootstrapResume, type BootstrapState } from '../../agent/snapshot/bootstrap.ts';
import { SnapshotImporter } from '../../agent/snapshot/import.ts';
import type { SnapshotExport } from '../../agent/snapshot/snapshot-build.ts';
import type { Attestation, SnapshotClaim } from '../../agent/snapshot/types.ts';
import { signerFrom, TestEconomy, zeroAux, type Signer } from '../ledger/chain.ts';

/** A fresh directory per test; `cleanup` removes it. */
export function temporaryDirectory(): { directory: string; cleanup: () => void } {
  const directory = mkdtempSync(join(tmpdir(), 'parley-snapshot-'));
  return { directory, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}

export type Chain = {
  readonly economy: TestEconomy;
  readonly store: SqliteLedgerStore;
  readonly blocks: Block[];
  /** Applies `count` more blocks of a few payments each. */
  grow(count: number): void;
  /** The next block on top of the store (not applied). */
  nextBlock(): Block;
};

/** A SQLite ledger after `height + 1` blocks of the test economy (genesis, then payments). */
export function buildChain(path: string, seed: number, height: number, paymentsMax = 4): Chain {
  const economy = new TestEconomy(seed, undefined, 3, 8);
  const store = SqliteLedgerStore.open(path, economy.params, { synchronous: 'NORMAL' });
  const blocks: Block[] = [];
  const applyNext = (transactions: ReturnType<TestEconomy['payments']>): void => {
    const block = economy.block(store, transactions);
    const result = store.apply(block);
    if (!result.ok) throw result.error;
    blocks.push(block);
  };
  applyNext([economy.genesisTransaction(3)]);
  const grow = (count: number): void => {
    for (let index = 0; index < count; index++) applyNext(economy.payments(1 + economy.rng.below(paymentsMax)));
  };
  grow(height);
  return { economy, store, blocks, grow, nextBlock: () => economy.block(store, economy.payments(2)) };
}

export function authoritiesFrom(seed: number, count: number): Signer[] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, () => signerFrom(rng));
}

export function attest(claim: SnapshotClaim, signers: readonly Signer[]): Attestation[] {
  return signers.map((signer) => signAttestation(claim, signer.secretKey, signer.publicKey, zeroAux));
}

/** How a simulated source answers a chunk request. */
export type SourceBehavior = 'honest' | 'tamper' | 'silent' | 'lacking' | 'wrong-proof';

export type SimulatedSource = {
  readonly attestations: readonly Attestation[];
  /** Snapshots it serves, by state root hex. */
  readonly snapshots: readonly SnapshotExport[];
  readonly behavior: SourceBehavior;
};

export type DriveOptions = {
  readonly config: BootstrapConfig;
  readonly sources: ReadonlyMap<string, SimulatedSource>;
  readonly importerPath: string;
  readonly params: TestEconomy['params'];
  readonly seed?: number;
  readonly resume?: BootstrapResume | null;
  /** Stop (as if the process died) after this many chunks were written. */
  readonly crashAfterWrites?: number;
};

export type DriveResult = {
  readonly state: BootstrapState;
  readonly store: SqliteLedgerStore | null;
  readonly effects: BootstrapEffect[];
  readonly blamed: Map<string, number>;
  readonly writes: number;
  readonly crashed: boolean;
  /** Most chunk requests outstanding at once, in all and per source. */
  readonly inFlightPeak: number;
  readonly inFlightPeakPerSource: number;
  readonly elapsedMs: number;
};

/**
 * Runs the bootstrap machine against simulated sources with a virtual clock: each answer arrives
 * after a seeded random delay (so answers reorder), a silent source never answers (the machine's
 * timeouts fire on ticks), and the shell's effects go to a real SnapshotImporter.
 */
export function drive(options: DriveOptions): DriveResult {
  const rng: Rng = seededRng(options.seed ?? 1);
  const importer = SnapshotImporter.open(options.importerPath, options.params, { synchronous: 'NORMAL' });
  let state = initialBootstrapState(options.config, options.resume ?? null);
  const queue: { at: number; order: number; event: BootstrapEvent }[] = [];
  const effects: BootstrapEffect[] = [];
  const blamed = new Map<string, number>();
  let now = 0;
  let lastTickMs = 0;
  let order = 0;
  let writes = 0;
  let store: SqliteLedgerStore | null = null;
  let crashed = false;
  let finished = false;
  let inFlightPeak = 0;
  let inFlightPeakPerSource = 0;
  const deliver = (event: BootstrapEvent, delayMs: number): void => {
    queue.push({ at: now + delayMs, order: order++, event });
  };
  const source = (name: string): SimulatedSource => options.sources.get(name)!;
  const carryOut = (effect: BootstrapEffect): void => {
    effects.push(effect);
    switch (effect.kind) {
      case 'request-attestations':
        deliver({ kind: 'attestations', source: effect.source, attestations: source(effect.source).attestations.map(encodeAttestation) }, 1 + rng.below(20));
        return;
      case 'begin-import':
        importer.begin(effect.trusted);
        return;
      case 'request-chunk': {
        const served = source(effect.source);
        const snapshot = served.snapshots.find((candidate) => bytesToHex(candidate.claim.stateRoot) === bytesToHex(effect.stateRoot));
        if (served.behavior === 'silent') return;
        if (served.behavior === 'lacking' || snapshot === undefined) {
          deliver({ kind: 'chunk-unavailable', source: effect.source, index: effect.index }, 1 + rng.below(20));
          return;
        }
        let bytes = snapshot.chunks[effect.index]!;
        let proof = snapshot.proveChunk(effect.index);
        if (served.behavior === 'tamper') {
          bytes = bytes.slice();
          bytes[rng.below(bytes.length)]! ^= 1 << rng.below(8);
        }
        if (served.behavior === 'wrong-proof') proof = snapshot.proveChunk((effect.index + 1) % snapshot.chunks.length);
        deliver({ kind: 'chunk', source: effect.source, index: effect.index, bytes, proof }, 1 + rng.below(50));
        return;
      }
      case 'write-chunk':
        importer.writeChunk(effect.chunk);
        writes++;
        if (options.crashAfterWrites !== undefined && writes >= options.crashAfterWrites) {
          crashed = true;
          return;
        }
        deliver({ kind: 'chunk-written', index: effect.chunk.index }, 0);
        return;
      case 'finish-import':
        finished = true; // finish closes the importer, whatever happens
        try {
          store = importer.finish();
          deliver({ kind: 'import-finished' }, 0);
        } catch (error) {
          if (!(error instanceof AgentError)) throw error;
          deliver({ kind: 'import-failed', error }, 0);
        }
        return;
      case 'blame':
        blamed.set(effect.source, (blamed.get(effect.source) ?? 0) + 1);
        return;
      case 'log':
      case 'follow':
      case 'failed':
        return;
    }
  };
  const step = (event: BootstrapEvent): void => {
    const result = stepBootstrap(state, event, now);
    state = result.state;
    // What the machine has outstanding after the step: the limits are on this.
    inFlightPeak = Math.max(inFlightPeak, state.inFlight.size);
    for (const standing of state.sources.values()) inFlightPeakPerSource = Math.max(inFlightPeakPerSource, standing.inFlight);
    for (const effect of result.effects) {
      if (crashed) return;
      carryOut(effect);
    }
  };
  step({ kind: 'start' });
  for (let guard = 0; !crashed && state.phase !== 'done' && state.phase !== 'failed'; guard++) {
    if (guard > 1_000_000) throw new Error('bootstrap did not settle');
    queue.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = queue.shift();
    if (next === undefined) {
      now = lastTickMs = Math.max(now, lastTickMs) + 1_000;
      step({ kind: 'tick' });
      continue;
    }
    if (next.at - lastTickMs >= 1_000) {
      queue.unshift(next);
      now = lastTickMs = lastTickMs + 1_000;
      step({ kind: 'tick' });
      continue;
    }
    now = Math.max(now, next.at);
    step(next.event);
  }
  if (!finished) importer.close();
  return { state, store, effects, blamed, writes, crashed, inFlightPeak, inFlightPeakPerSource, elapsedMs: now };
}
