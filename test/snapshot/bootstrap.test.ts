import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bytesToHex } from '../../names/index.ts';
import { contentsDigest } from '../../agent/ledger/state-contents.ts';
import { sqliteContents } from '../../agent/ledger/store-contents.ts';
import { SqliteLedgerStore } from '../../agent/ledger/store-sqlite.ts';
import { TrustnetError } from '../../agent/snapshot/attestation.ts';
import type { BootstrapConfig } from '../../agent/snapshot/bootstrap.ts';
import { exportSnapshot } from '../../agent/snapshot/export.ts';
import { SnapshotImporter } from '../../agent/snapshot/import.ts';
import type { SnapshotExport } from '../../agent/snapshot/snapshot-build.ts';
import type { Attestation } from '../../agent/snapshot/types.ts';
import type { Block } from '../../agent/ledger/block-types.ts';
import { attest, authoritiesFrom, buildChain, drive, temporaryDirectory, type Chain, type SimulatedSource, type SourceBehavior } from './helpers.ts';

/**
 * Bootstrap end to end: a ledger of N blocks is exported, attested by three authorities, and a
 * fresh file is filled through the pure state machine driven in-test (simulated sources, virtual
 * clock, a real SnapshotImporter). The result must equal the original table for table and take
 * the next block.
 */
const seed = Number(process.env.SNAPSHOT_SEED ?? 20_250_806);
/** Small chunks so a test chain is dozens of chunks; the protocol's 256 KiB is measured apart. */
const chunkBytesMax = 4096;
const limits = { chunksInFlightMax: 4, chunksInFlightPerSourceMax: 2, chunkWindow: 8, chunkTimeoutMs: 3_000, attestationTimeoutMs: 2_000, sourceStrikesMax: 3 };

const authorities = authoritiesFrom(seed, 3);
const authorityKeys = authorities.map((authority) => authority.publicKey);

let chain: Chain;
let snapshot: SnapshotExport;
let original: string;
/** Block 41, made once (the economy spends coins as it makes blocks). */
let next: Block;
const temporary = temporaryDirectory();

before(() => {
  chain = buildChain(join(temporary.directory, 'origin.sqlite'), seed, 40);
  snapshot = exportSnapshot(chain.store, { chunkBytesMax });
  original = bytesToHex(contentsDigest(sqliteContents(chain.store)));
  next = chain.nextBlock();
});

after(() => {
  chain.store.close();
  temporary.cleanup();
});

let files = 0;
const freshPath = (): string => join(temporary.directory, `joiner-${files++}.sqlite`);

function config(): BootstrapConfig {
  return { chainId: chain.economy.parametersHash, authorities: authorityKeys, sources: ['s0', 's1', 's2', 's3'], limits };
}

function sources(attestations: readonly Attestation[], behaviors: readonly SourceBehavior[], served: readonly SnapshotExport[] = [snapshot]): Map<string, SimulatedSource> {
  return new Map(behaviors.map((behavior, index) => [`s${index}`, { attestations, snapshots: served, behavior }]));
}

function expectSameLedger(store: SqliteLedgerStore): void {
  assert.equal(bytesToHex(contentsDigest(sqliteContents(store))), original, 'the imported ledger equals the original, table for table');
  assert.equal(store.database.pragma('integrity_check', { simple: true }), 'ok');
  const imported = store.apply(next);
  assert.ok(imported.ok, imported.ok ? '' : `the imported ledger refused the next block: ${imported.error.message}`);
  assert.equal(store.tip()!.header.height, snapshot.claim.height + 1);
}

describe('bootstrap from a trustnet snapshot', () => {
  test('three authorities sign, one source tampers, one is silent: the new ledger equals the original and takes the next block', () => {
    const path = freshPath();
    const result = drive({ config: config(), sources: sources(attest(snapshot.claim, authorities), ['honest', 'tamper', 'silent', 'honest']), importerPath: path, params: chain.economy.params, seed });
    assert.equal(result.state.phase, 'done', result.state.error?.message);
    const follow = result.effects.find((effect) => effect.kind === 'follow');
    assert.ok(follow !== undefined && follow.kind === 'follow');
    assert.equal(follow.height, 40);
    assert.equal(bytesToHex(follow.blockHash), bytesToHex(snapshot.claim.blockHash));
    assert.ok(snapshot.claim.chunkCount >= 20, `${snapshot.claim.chunkCount} chunks`);
    assert.equal(result.writes, snapshot.claim.chunkCount);
    // The tamperer and the silent source were blamed and struck out; the honest ones never.
    assert.ok((result.blamed.get('s1') ?? 0) >= 1 && (result.blamed.get('s2') ?? 0) >= 1, JSON.stringify([...result.blamed]));
    assert.equal(result.blamed.get('s0') ?? 0, 0);
    assert.equal(result.blamed.get('s3') ?? 0, 0);
    assert.ok(result.state.sources.get('s1')!.banned && result.state.sources.get('s2')!.banned);
    assert.ok(result.inFlightPeak <= limits.chunksInFlightMax && result.inFlightPeakPerSource <= limits.chunksInFlightPerSourceMax, `peaks ${result.inFlightPeak}/${result.inFlightPeakPerSource}`);
    const store = result.store!;
    try {
      expectSameLedger(store);
    } finally {
      store.close();
    }
  });

  test('a tampered chunk is refused and fetched again from another source', () => {
    const result = drive({ config: config(), sources: sources(attest(snapshot.claim, authorities), ['tamper', 'honest', 'wrong-proof', 'lacking']), importerPath: freshPath(), params: chain.economy.params, seed: seed + 1 });
    assert.equal(result.state.phase, 'done', result.state.error?.message);
    const blames = result.effects.filter((effect) => effect.kind === 'blame');
    assert.ok(blames.some((effect) => effect.source === 's0' && effect.error.code === 'SNAPSHOT_CHUNK_MISMATCH'));
    assert.ok(blames.some((effect) => effect.source === 's2' && effect.error.code === 'SNAPSHOT_CHUNK_MISMATCH'));
    assert.ok(blames.every((effect) => effect.source === 's0' || effect.source === 's2'));
    // Every chunk s0 was blamed for was later asked of someone else.
    for (const blame of blames) {
      const retried = result.effects.some((effect) => effect.kind === 'request-chunk' && effect.index === blame.index && effect.source !== blame.source);
      assert.ok(retried, `chunk ${blame.index} was asked again of another source`);
    }
    result.store!.close();
  });

  test('only bad sources: the bootstrap fails with SNAPSHOT_NO_SOURCE and writes nothing wrong', () => {
    const result = drive({ config: config(), sources: sources(attest(snapshot.claim, authorities), ['tamper', 'tamper', 'wrong-proof', 'lacking']), importerPath: freshPath(), params: chain.economy.params, seed });
    assert.equal(result.state.phase, 'failed');
    assert.equal(result.state.error?.code, 'SNAPSHOT_NO_SOURCE');
    assert.equal(result.writes, 0);
  });

  test('a missing authority signature blocks the bootstrap, naming the authority', () => {
    const path = freshPath();
    const result = drive({ config: config(), sources: sources(attest(snapshot.claim, authorities.slice(0, 2)), ['honest', 'honest', 'honest', 'honest']), importerPath: path, params: chain.economy.params });
    assert.equal(result.state.phase, 'failed');
    const error = result.state.error;
    assert.ok(error instanceof TrustnetError);
    assert.equal(error.code, 'SNAPSHOT_ATTESTATION_MISSING');
    assert.deepEqual(error.authorities, [bytesToHex(authorityKeys[2]!)]);
    assert.match(error.message, new RegExp(bytesToHex(authorityKeys[2]!)));
    assert.ok(!result.effects.some((effect) => effect.kind === 'begin-import' || effect.kind === 'request-chunk'));
    // The file holds no ledger and no import: a later run starts clean.
    const importer = SnapshotImporter.open(path, chain.economy.params);
    assert.equal(importer.status, null);
    importer.close();
  });

  test('conflicting attestations at one height block the bootstrap, naming both sides', () => {
    const forged = { ...snapshot.claim, stateRoot: snapshot.claim.stateRoot.map((byte) => byte ^ 0xff) };
    const attestations = [...attest(snapshot.claim, authorities.slice(0, 2)), ...attest(forged, authorities.slice(2))];
    const result = drive({ config: config(), sources: sources(attestations, ['honest', 'honest', 'honest', 'honest']), importerPath: freshPath(), params: chain.economy.params });
    const error = result.state.error;
    assert.ok(error instanceof TrustnetError, String(error));
    assert.equal(error.code, 'SNAPSHOT_ATTESTATIONS_CONFLICT');
    assert.deepEqual(error.authorities, authorityKeys.map(bytesToHex).sort());
    assert.match(error.message, /height 40/);
  });

  test('the newest snapshot every authority signed is chosen, even when the newest has fewer signatures', () => {
    const directory = temporaryDirectory();
    try {
      const older = buildChain(join(directory.directory, 'older.sqlite'), seed, 20);
      const olderSnapshot = exportSnapshot(older.store, { chunkBytesMax });
      const olderDigest = bytesToHex(contentsDigest(sqliteContents(older.store)));
      older.grow(8);
      const newerSnapshot = exportSnapshot(older.store, { chunkBytesMax });
      // All three signed height 20; only two have signed height 28 so far.
      const attestations = [...attest(olderSnapshot.claim, authorities), ...attest(newerSnapshot.claim, authorities.slice(0, 2))];
      const result = drive({
        config: { ...config(), chainId: older.economy.parametersHash },
        sources: sources(attestations, ['honest', 'honest', 'honest', 'honest'], [olderSnapshot, newerSnapshot]),
        importerPath: join(directory.directory, 'joiner.sqlite'),
        params: older.economy.params,
      });
      assert.equal(result.state.phase, 'done', result.state.error?.message);
      assert.equal(result.state.trusted!.claim.height, 20);
      assert.equal(bytesToHex(contentsDigest(sqliteContents(result.store!))), olderDigest);
      result.store!.close();
      older.store.close();
    } finally {
      directory.cleanup();
    }
  });

  test('a crash mid-import resumes from the chunks already written', () => {
    const path = freshPath();
    const attestations = attest(snapshot.claim, authorities);
    const crashAt = Math.floor(snapshot.claim.chunkCount / 2);
    const first = drive({ config: config(), sources: sources(attestations, ['honest', 'tamper', 'honest', 'honest']), importerPath: path, params: chain.economy.params, crashAfterWrites: crashAt });
    assert.ok(first.crashed);
    // The file is a ledger before genesis to anyone opening it as a store…
    const peek = SqliteLedgerStore.open(path, chain.economy.params);
    assert.equal(peek.tip(), null);
    peek.close();
    // …and an import of `crashAt` whole chunks to the importer.
    const importer = SnapshotImporter.open(path, chain.economy.params);
    const status = importer.status;
    importer.close();
    assert.ok(status !== null);
    assert.equal(status.chunksWritten, crashAt);
    const second = drive({ config: config(), sources: sources(attestations, ['honest', 'honest', 'honest', 'honest']), importerPath: path, params: chain.economy.params, resume: status, seed: seed + 2 });
    assert.equal(second.state.phase, 'done', second.state.error?.message);
    assert.equal(second.writes, snapshot.claim.chunkCount - crashAt);
    assert.ok(!second.effects.some((effect) => effect.kind === 'request-attestations'), 'a resumed import asks for no attestations');
    assert.ok(!second.effects.some((effect) => effect.kind === 'request-chunk' && effect.index < crashAt), 'nor for chunks it has');
    try {
      expectSameLedger(second.store!);
    } finally {
      second.store!.close();
    }
  });

  test('a resumed import whose trustnet changed stops with the missing authority named', () => {
    const path = freshPath();
    const attestations = attest(snapshot.claim, authorities);
    drive({ config: config(), sources: sources(attestations, ['honest', 'honest', 'honest', 'honest']), importerPath: path, params: chain.economy.params, crashAfterWrites: 2 });
    const importer = SnapshotImporter.open(path, chain.economy.params);
    const status = importer.status!;
    importer.close();
    const extra = authoritiesFrom(seed + 99, 1)[0]!;
    const result = drive({ config: { ...config(), authorities: [...authorityKeys, extra.publicKey] }, sources: sources(attestations, ['honest']), importerPath: path, params: chain.economy.params, resume: status });
    assert.equal(result.state.error?.code, 'SNAPSHOT_ATTESTATION_MISSING');
    assert.deepEqual((result.state.error as TrustnetError).authorities, [bytesToHex(extra.publicKey)]);
  });

  test('a file that already holds a ledger is not imported into', () => {
    assert.throws(() => SnapshotImporter.open(join(temporary.directory, 'origin.sqlite'), chain.economy.params), { code: 'SNAPSHOT_IMPORT_NOT_FRESH' });
  });
});
