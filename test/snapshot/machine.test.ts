import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeAttestation } from '../../agent/snapshot/attestation.ts';
import { initialBootstrapState, stepBootstrap, type BootstrapConfig, type BootstrapEffect, type BootstrapEvent, type BootstrapState } from '../../agent/snapshot/bootstrap.ts';
import { buildSnapshot } from '../../agent/snapshot/snapshot-build.ts';
import type { SnapshotRecord } from '../../agent/snapshot/types.ts';
import { attest, authoritiesFrom } from './helpers.ts';

/**
 * The bootstrap state machine alone, stepped by hand: no store, no sources, just events in and
 * effects out. Chunks come from a synthetic snapshot of many small records.
 */
const chainId = new Uint8Array(32).fill(0xc1);
const header = (height: number) => ({
  version: 1 as const,
  parametersHash: chainId,
  height,
  previousHash: new Uint8Array(32),
  timeMs: 1000 + height,
  transactionCount: 0,
  transactionLogRoot: new Uint8Array(32),
  outpointRoot: new Uint8Array(32),
  keyEventRoot: new Uint8Array(32),
  stakeSnapshotRoot: new Uint8Array(32),
});
const records: SnapshotRecord[] = [
  { kind: 'tip', header: header(199), supply: 0n, feesBurned: 0n, transactionLogPeaks: [] },
  ...Array.from({ length: 200 }, (_, height): SnapshotRecord => ({ kind: 'header', header: header(height) })),
];
const snapshot = buildSnapshot(records, { chunkBytesMax: 1024 });
const chunkCount = snapshot.claim.chunkCount;
const authorities = authoritiesFrom(11, 2);
const attestations = attest(snapshot.claim, authorities).map(encodeAttestation);
const limits = { chunksInFlightMax: 4, chunksInFlightPerSourceMax: 2, chunkWindow: 6, chunkTimeoutMs: 1_000, attestationTimeoutMs: 500, sourceStrikesMax: 2 };
const config: BootstrapConfig = { chainId, authorities: authorities.map((authority) => authority.publicKey), sources: ['a', 'b', 'c'], limits };

type Machine = { state: BootstrapState; step(event: BootstrapEvent, nowMs?: number): BootstrapEffect[] };

function machine(overrides: Partial<BootstrapConfig> = {}): Machine {
  const holder: Machine = {
    state: initialBootstrapState({ ...config, ...overrides }),
    step(event, nowMs = 0) {
      const result = stepBootstrap(holder.state, event, nowMs);
      holder.state = result.state;
      return result.effects;
    },
  };
  return holder;
}

const requests = (effects: readonly BootstrapEffect[]) => effects.filter((effect): effect is Extract<BootstrapEffect, { kind: 'request-chunk' }> => effect.kind === 'request-chunk');
const chunkEvent = (source: string, index: number): BootstrapEvent => ({ kind: 'chunk', source, index, bytes: snapshot.chunks[index]!, proof: snapshot.proveChunk(index) });

/** Past the attestation phase, with the first requests out. */
function fetching(): { m: Machine; first: BootstrapEffect[] } {
  const m = machine();
  m.step({ kind: 'start' });
  m.step({ kind: 'attestations', source: 'a', attestations });
  m.step({ kind: 'attestations', source: 'b', attestations: [] });
  const first = m.step({ kind: 'attestations', source: 'c', attestations: [new Uint8Array(3), ...attestations] });
  assert.equal(m.state.phase, 'fetching');
  return { m, first };
}

describe('bootstrap machine', () => {
  test('start asks every source; the decision waits for all of them', () => {
    const m = machine();
    assert.deepEqual(m.step({ kind: 'start' }).map((effect) => effect.kind), ['request-attestations', 'request-attestations', 'request-attestations']);
    assert.deepEqual(m.step({ kind: 'attestations', source: 'a', attestations }), []);
    assert.equal(m.state.phase, 'attesting');
    assert.ok(m.step({ kind: 'attestations', source: 'x', attestations }).some((effect) => effect.kind === 'log'), 'a stranger\'s answer is dropped');
  });

  test('a source that never answers: the decision comes at the timeout', () => {
    const m = machine();
    m.step({ kind: 'start' }, 0);
    m.step({ kind: 'attestations', source: 'a', attestations }, 10);
    assert.equal(m.step({ kind: 'tick' }, 499).length, 0);
    const effects = m.step({ kind: 'tick' }, 500);
    assert.ok(effects.some((effect) => effect.kind === 'begin-import'));
    assert.equal(m.state.phase, 'fetching');
  });

  test('a malformed attestation is dropped with a log, the rest still count', () => {
    const { first } = fetching();
    assert.ok(first.some((effect) => effect.kind === 'log' && effect.reason.includes('dropped')));
    assert.ok(first.some((effect) => effect.kind === 'begin-import'));
  });

  test('requests stay within the in-flight limits and the window', () => {
    const { m, first } = fetching();
    const asked = requests(first);
    assert.equal(asked.length, limits.chunksInFlightMax);
    assert.deepEqual(asked.map((request) => request.index), [0, 1, 2, 3]);
    for (const source of ['a', 'b', 'c']) assert.ok(asked.filter((request) => request.source === source).length <= limits.chunksInFlightPerSourceMax);
    // Answer 1, 2, 3 but not 0: nothing is written, and the window (6) caps what is asked next.
    const later: BootstrapEffect[] = [];
    for (const request of asked.slice(1)) later.push(...m.step(chunkEvent(request.source, request.index)));
    assert.ok(!later.some((effect) => effect.kind === 'write-chunk'));
    assert.ok(requests(later).every((request) => request.index < limits.chunkWindow));
    // Chunk 0 arrives: it is written first, then 1, 2, 3 in order as each write completes.
    const written: number[] = [];
    let effects = m.step(chunkEvent(asked[0]!.source, 0));
    for (;;) {
      const write = effects.find((effect) => effect.kind === 'write-chunk');
      if (write === undefined || write.kind !== 'write-chunk') break;
      written.push(write.chunk.index);
      effects = m.step({ kind: 'chunk-written', index: write.chunk.index });
    }
    assert.deepEqual(written, [0, 1, 2, 3]);
  });

  test('an unsolicited or duplicate chunk is dropped without blame', () => {
    const { m, first } = fetching();
    const request = requests(first)[0]!;
    const other = request.source === 'a' ? 'b' : 'a';
    const effects = m.step(chunkEvent(other, request.index));
    assert.ok(effects.some((effect) => effect.kind === 'log') && !effects.some((effect) => effect.kind === 'blame'));
    m.step(chunkEvent(request.source, request.index));
    assert.ok(m.step(chunkEvent(request.source, request.index)).every((effect) => effect.kind === 'log'));
  });

  test('a timed-out request is blamed and asked of another source', () => {
    const { m, first } = fetching();
    const request = requests(first)[0]!;
    const effects = m.step({ kind: 'tick' }, limits.chunkTimeoutMs);
    const blame = effects.find((effect) => effect.kind === 'blame' && effect.index === request.index);
    assert.ok(blame !== undefined && blame.kind === 'blame' && blame.error.code === 'SNAPSHOT_CHUNK_TIMEOUT');
    const retry = requests(effects).find((effect) => effect.index === request.index);
    assert.ok(retry !== undefined && retry.source !== request.source);
  });

  test('a source struck out is asked for nothing more; with every source out, the bootstrap fails', () => {
    const m = machine({ sources: ['a'] });
    m.step({ kind: 'start' });
    let effects = m.step({ kind: 'attestations', source: 'a', attestations });
    for (let round = 0; m.state.phase === 'fetching' && round < 10; round++) {
      const [request] = requests(effects);
      if (request === undefined) break;
      const bad = snapshot.chunks[request.index]!.slice();
      bad[10]! ^= 1;
      effects = m.step({ kind: 'chunk', source: 'a', index: request.index, bytes: bad, proof: snapshot.proveChunk(request.index) });
    }
    assert.equal(m.state.phase, 'failed');
    assert.equal(m.state.error?.code, 'SNAPSHOT_NO_SOURCE');
    assert.ok(effects.some((effect) => effect.kind === 'failed'));
    assert.ok(m.step({ kind: 'tick' }).every((effect) => effect.kind === 'log'), 'a failed machine only logs');
  });

  test('the whole snapshot in order, then finish, then follow', () => {
    const { m, first } = fetching();
    const pending = [...requests(first)];
    let finished = false;
    let follow: BootstrapEffect | undefined;
    while (pending.length > 0 || !finished) {
      const request = pending.shift();
      let effects = request === undefined ? [] : m.step(chunkEvent(request.source, request.index));
      for (;;) {
        pending.push(...requests(effects));
        const write = effects.find((effect) => effect.kind === 'write-chunk');
        if (effects.some((effect) => effect.kind === 'finish-import')) {
          follow = m.step({ kind: 'import-finished' }).find((effect) => effect.kind === 'follow');
          finished = true;
        }
        if (write === undefined || write.kind !== 'write-chunk') break;
        effects = m.step({ kind: 'chunk-written', index: write.chunk.index });
      }
      if (request === undefined && !finished) assert.fail('stalled');
    }
    assert.equal(m.state.phase, 'done');
    assert.ok(follow !== undefined && follow.kind === 'follow' && follow.height === 199);
    assert.equal(m.state.nextToWrite, chunkCount);
  });

  test('a resume with every chunk already written goes straight to finishing', () => {
    const m = { state: initialBootstrapState(config, { claim: snapshot.claim, attestations: attest(snapshot.claim, authorities), chunksWritten: chunkCount }) };
    const effects = stepBootstrap(m.state, { kind: 'start' }, 0).effects;
    assert.deepEqual(effects.map((effect) => effect.kind), ['finish-import']);
  });
});
