import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, hexToBytes, schnorrPublicKey } from '../../names/index.ts';
import { snapshotAttestationBytes, snapshotChunkBytesMax, snapshotChunkHeaderBytes } from '../../agent/constants.ts';
import { AgentError, snapshotErrorCodes } from '../../agent/errors.ts';
import { ByteReader } from '../../agent/ledger/tx-bytes.ts';
import { attestationSignatureValid, decodeAttestation, encodeAttestation, encodeAttestationMessage, signAttestation } from '../../agent/snapshot/attestation.ts';
import { ChunkPacker, decodeChunk } from '../../agent/snapshot/chunk-codec.ts';
import { verifyChunk } from '../../agent/snapshot/chunk-verify.ts';
import { decodeImportProgress, encodeImportProgress, type ImportProgress } from '../../agent/snapshot/import-progress.ts';
import { encodeRecord, readRecord, recordSortKey } from '../../agent/snapshot/record-codec.ts';
import { buildSnapshot } from '../../agent/snapshot/snapshot-build.ts';
import { markVerified, type SnapshotClaim, type SnapshotRecord } from '../../agent/snapshot/types.ts';
import { LogFrontier } from '../../agent/merkle/index.ts';
import { recordFromJson, recordToJson, type Json } from './vector-json.ts';

/**
 * Golden bytes (vectors.json), round trips and fuzzing of the snapshot encodings: attestations,
 * records, chunks, chunk proofs and the import progress record.
 */
type Vectors = {
  attestation: { secretKey: string; publicKey: string; claim: Record<string, string | number>; message: string; hex: string };
  invalidAttestations: { name: string; hex: string; note: string }[];
  chunk: { index: number; records: { record: Json; hex: string; sortKey: string }[]; hex: string };
  invalidChunks: { name: string; index: number; hex: string; note: string }[];
};

const vectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as Vectors;
const snapshotCodes = new Set<string>(snapshotErrorCodes);

function claimFromJson(json: Record<string, string | number>): SnapshotClaim {
  return {
    chainId: hexToBytes(json.chainId as string),
    height: json.height as number,
    blockHash: hexToBytes(json.blockHash as string),
    stateRoot: hexToBytes(json.stateRoot as string),
    chunkCount: json.chunkCount as number,
  };
}

const bytes = (length: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: length, maxLength: length });
const height = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const claimArbitrary: fc.Arbitrary<SnapshotClaim> = fc.record({ chainId: bytes(32), height, blockHash: bytes(32), stateRoot: bytes(32), chunkCount: fc.integer({ min: 1, max: 0xffff_ffff }) });
const header = fc.record({
  version: fc.constant(1 as const),
  parametersHash: bytes(32),
  height,
  previousHash: bytes(32),
  timeMs: height,
  transactionCount: height,
  transactionLogRoot: bytes(32),
  outpointRoot: bytes(32),
  keyEventRoot: bytes(32),
  stakeSnapshotRoot: bytes(32),
});
const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((text) => new TextEncoder().encode(text).length <= 255);
const endpoint = fc.oneof(fc.record({ family: fc.constant(4 as const), address: bytes(4), port: fc.integer({ min: 0, max: 0xffff }) }), fc.record({ family: fc.constant(6 as const), address: bytes(16), port: fc.integer({ min: 0, max: 0xffff }) }));
const peaks = fc.array(bytes(32), { maxLength: 5 });
const recordArbitrary: fc.Arbitrary<SnapshotRecord> = fc.oneof(
  fc.record({ kind: fc.constant('tip' as const), header, supply: u64, feesBurned: u64, transactionLogPeaks: peaks }),
  fc.record({ kind: fc.constant('header' as const), header }),
  fc.record({ kind: fc.constant('transaction' as const), txHash: bytes(32), height, position: fc.integer({ min: 0, max: 0xffff }), logIndex: height, bytes: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant('output' as const), outpoint: bytes(34), amount: u64, key: bytes(32), host: bytes(32), createdHeight: height, spentHeight: fc.option(height) }),
  fc.record({ kind: fc.constant('name' as const), name, owner: bytes(32), registeredHeight: height, expiresHeight: height }),
  fc.record({ kind: fc.constant('agent' as const), key: bytes(32), name, endpoint, registeredHeight: height }),
  fc.record({ kind: fc.constant('stake' as const), host: bytes(32), stake: u64 }),
  fc.record({ kind: fc.constant('stakeSnapshot' as const), height, root: bytes(32) }),
  fc.record({ kind: fc.constant('stakeEntry' as const), height, index: fc.integer({ min: 0, max: 0xffff_ffff }), key: bytes(32), stake: u64 }),
  fc.record({ kind: fc.constant('eventLog' as const), subject: bytes(32), count: height, peaks }),
  fc.record({ kind: fc.constant('event' as const), subject: bytes(32), sequence: height, record: fc.uint8Array({ maxLength: 400 }) }),
);

/** Decoding anything may only fail with a typed error. */
function expectTyped(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
  }
}

describe('attestation encoding', () => {
  test('golden bytes: the message, the signature and the 205-byte attestation', () => {
    const { attestation } = vectors;
    const secretKey = hexToBytes(attestation.secretKey);
    const publicKey = schnorrPublicKey(secretKey);
    assert.equal(bytesToHex(publicKey), attestation.publicKey);
    const claim = claimFromJson(attestation.claim);
    assert.equal(bytesToHex(encodeAttestationMessage(claim)), attestation.message);
    const signed = signAttestation(claim, secretKey, publicKey, new Uint8Array(32));
    assert.equal(bytesToHex(encodeAttestation(signed)), attestation.hex);
    const decoded = decodeAttestation(hexToBytes(attestation.hex));
    assert.ok(attestationSignatureValid(decoded));
    assert.equal(encodeAttestation(decoded).length, snapshotAttestationBytes);
  });

  for (const invalid of vectors.invalidAttestations) {
    test(`invalid attestation: ${invalid.name}`, () => {
      assert.throws(() => decodeAttestation(hexToBytes(invalid.hex)), (error: AgentError) => error.code === 'SNAPSHOT_BAD_ATTESTATION' && error.message.includes(invalid.note));
    });
  }

  test('decode(encode(x)) = x, and a signature covers every field of the claim', () => {
    const secretKey = new Uint8Array(32).fill(3);
    const publicKey = schnorrPublicKey(secretKey);
    fc.assert(
      fc.property(claimArbitrary, fc.integer({ min: 0, max: 108 }), (claim, flip) => {
        const attestation = signAttestation(claim, secretKey, publicKey, new Uint8Array(32));
        const encoded = encodeAttestation(attestation);
        assert.deepEqual(encodeAttestation(decodeAttestation(encoded)), encoded);
        // Any change to the signed message (version byte aside, which decode refuses) breaks the signature.
        if (flip === 0) return;
        const tampered = encoded.slice();
        tampered[flip]! ^= 1;
        try {
          assert.equal(attestationSignatureValid(decodeAttestation(tampered)), false);
        } catch (error) {
          assert.ok(error instanceof AgentError && error.code === 'SNAPSHOT_BAD_ATTESTATION');
        }
      }),
      { numRuns: 40 },
    );
  });

  test('random bytes only ever give typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (random) => expectTyped(() => decodeAttestation(random))),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 205, maxLength: 205 }), (random) => expectTyped(() => decodeAttestation(random))),
      { numRuns: 2_000 },
    );
  });
});

describe('record and chunk encoding', () => {
  test('golden bytes: one record of each kind, their sort keys, and the chunk they make', () => {
    const records = vectors.chunk.records.map((vector) => {
      const record = recordFromJson(vector.record);
      assert.equal(bytesToHex(encodeRecord(record)), vector.hex, record.kind);
      assert.equal(bytesToHex(recordSortKey(record)), vector.sortKey, record.kind);
      return record;
    });
    assert.deepEqual(new Set(records.map((record) => record.kind)).size, 11, 'every kind is covered');
    const packer = new ChunkPacker();
    for (const record of records) packer.add(record);
    const [chunk] = packer.finish();
    assert.equal(bytesToHex(chunk!), vectors.chunk.hex);
    const decoded = decodeChunk(hexToBytes(vectors.chunk.hex), 0);
    assert.deepEqual(decoded.records.map(recordToJson), vectors.chunk.records.map((vector) => vector.record));
  });

  for (const invalid of vectors.invalidChunks) {
    test(`invalid chunk: ${invalid.name}`, () => {
      assert.throws(() => decodeChunk(hexToBytes(invalid.hex), invalid.index), (error: AgentError) => error.code === 'SNAPSHOT_BAD_CHUNK' && error.message.includes(invalid.note));
    });
  }

  test('decode(encode(record)) = record, for every kind', () => {
    fc.assert(
      fc.property(recordArbitrary, (record) => {
        const encoded = encodeRecord(record);
        const reader = new ByteReader(encoded, 'record');
        const decoded = readRecord(reader);
        reader.end();
        assert.deepEqual(encodeRecord(decoded), encoded);
        assert.deepEqual(recordToJson(decoded), recordToJson(record));
      }),
      { numRuns: 1_000 },
    );
  });

  test('packing: sorted records come back from their chunks in order, every chunk within the limit', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 60 }), fc.integer({ min: 1024, max: 4096 }), (unsorted, chunkBytesMax) => {
        const keyed = unsorted.map((record) => ({ record, key: bytesToHex(recordSortKey(record)) }));
        const unique = [...new Map(keyed.map((entry) => [entry.key, entry])).values()].sort((a, b) => Buffer.compare(hexToBytes(a.key), hexToBytes(b.key)));
        const packer = new ChunkPacker(chunkBytesMax);
        const records = unique.map((entry) => entry.record).filter((record) => snapshotChunkHeaderBytes + encodeRecord(record).length <= chunkBytesMax);
        for (const record of records) packer.add(record);
        const chunks = packer.finish();
        assert.ok(chunks.every((chunk) => chunk.length <= chunkBytesMax));
        const back = chunks.flatMap((chunk, index) => decodeChunk(chunk, index).records);
        assert.deepEqual(back.map(encodeRecord), records.map(encodeRecord));
      }),
      { numRuns: 200 },
    );
  });

  test('random bytes, and valid chunks with random damage, only ever give typed errors', () => {
    const valid = hexToBytes(vectors.chunk.hex);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (random) => expectTyped(() => decodeChunk(random, 0))),
      { numRuns: 3_000 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(valid.length), (flips, cut) => {
        const damaged = valid.slice(0, Math.max(cut, 5));
        for (const [at, mask] of flips) if (at < damaged.length) damaged[at]! ^= mask;
        try {
          decodeChunk(damaged, 0);
        } catch (error) {
          assert.ok(error instanceof AgentError && snapshotCodes.has(error.code), String(error));
        }
      }),
      { numRuns: 3_000 },
    );
  });

  test('a chunk above the protocol limit is refused before it is parsed', () => {
    assert.throws(() => decodeChunk(new Uint8Array(snapshotChunkBytesMax + 1), 0), { code: 'SNAPSHOT_BAD_CHUNK' });
  });
});

describe('chunk proofs', () => {
  const records: SnapshotRecord[] = vectors.chunk.records.map((vector) => recordFromJson(vector.record));
  const snapshot = buildSnapshot(records, { chunkBytesMax: 400 });
  const claim = markVerified(snapshot.claim);

  test('every chunk verifies against the state root; each one elsewhere, or changed, does not', () => {
    assert.ok(snapshot.claim.chunkCount >= 4, `${snapshot.claim.chunkCount} chunks`);
    for (const [index, chunk] of snapshot.chunks.entries()) {
      assert.equal(verifyChunk(claim, index, chunk, snapshot.proveChunk(index)).index, index);
      const other = (index + 1) % snapshot.chunks.length;
      assert.throws(() => verifyChunk(claim, other, chunk, snapshot.proveChunk(other)), { code: 'SNAPSHOT_CHUNK_MISMATCH' });
      assert.throws(() => verifyChunk(claim, index, chunk, snapshot.proveChunk(other)), { code: 'SNAPSHOT_CHUNK_MISMATCH' });
      const flipped = chunk.slice();
      flipped[flipped.length - 1]! ^= 0x80;
      assert.throws(() => verifyChunk(claim, index, flipped, snapshot.proveChunk(index)), { code: 'SNAPSHOT_CHUNK_MISMATCH' });
    }
    assert.throws(() => verifyChunk(claim, snapshot.claim.chunkCount, snapshot.chunks[0]!, snapshot.proveChunk(0)), { code: 'SNAPSHOT_CHUNK_MISMATCH' });
  });

  test('random proofs only ever give typed errors', () => {
    fc.assert(
      fc.property(fc.nat(snapshot.claim.chunkCount - 1), fc.uint8Array({ maxLength: 300 }), (index, proof) => {
        assert.throws(() => verifyChunk(claim, index, snapshot.chunks[index]!, proof), (error: unknown) => error instanceof AgentError && error.code === 'SNAPSHOT_CHUNK_MISMATCH');
      }),
      { numRuns: 500 },
    );
  });
});

describe('import progress record', () => {
  test('decode(encode(p)) = p, open stake snapshot and event log included', () => {
    const claim = claimFromJson(vectors.attestation.claim);
    const entries = LogFrontier.fromLeafData([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
    const events = LogFrontier.fromLeafData([Uint8Array.of(9)]);
    const progress: ImportProgress = {
      claim,
      chunksWritten: 2,
      lastKey: Uint8Array.of(10, 1, 2),
      tip: recordFromJson(vectors.chunk.records[0]!.record) as Extract<SnapshotRecord, { kind: 'tip' }>,
      headerCount: 3,
      lastHeaderHash: new Uint8Array(32).fill(4),
      transactionLog: LogFrontier.fromLeafData([Uint8Array.of(5), Uint8Array.of(6), Uint8Array.of(7)]),
      outpointRoot: new Uint8Array(32).fill(8),
      keyEventRoot: new Uint8Array(32).fill(9),
      stakeSnapshot: { height: 8, root: new Uint8Array(32).fill(10), entries },
      eventLog: { subject: new Uint8Array(32).fill(11), count: 2, peaks: [new Uint8Array(32).fill(12)], events },
    };
    const encoded = encodeImportProgress(progress);
    assert.deepEqual(encodeImportProgress(decodeImportProgress(encoded)), encoded);
    assert.throws(() => decodeImportProgress(encoded.subarray(0, encoded.length - 1)), { code: 'LEDGER_STORE_CORRUPT' });
  });
});
