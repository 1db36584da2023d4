import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesToHex, seededRng, type Rng } from '../../names/index.ts';
import { contentsDigest } from '../../agent/ledger/state-contents.ts';
import { sqliteContents } from '../../agent/ledger/store-contents.ts';
import { SqliteLedgerStore } from '../../agent/ledger/store-sqlite.ts';
import { encodeAttestation } from '../../agent/snapshot/attestation.ts';
import { exportSnapshot } from '../../agent/snapshot/export.ts';
import { SnapshotImporter } from '../../agent/snapshot/import.ts';
import { parametersToJson } from '../ledger/vector-json.ts';
import { attest, authoritiesFrom, buildChain, temporaryDirectory } from './helpers.ts';

/**
 * Crash safety of the import: a child process imports a snapshot chunk by chunk and is SIGKILLed
 * at random moments; each new child resumes from what the file says. After every kill the file
 * must open, pass SQLite's integrity check, look like an empty ledger to SqliteLedgerStore (the
 * tip is written last) and report whole chunks; the import that finally completes must equal the
 * original ledger. Chunks are small (2.5 KiB) so a kill lands inside the import.
 */
const kills = 6;
const seed = Number(process.env.SNAPSHOT_CRASH_SEED ?? 20_250_808);
const child = new URL('./crash-child.ts', import.meta.url).pathname;

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

function runAndKill(args: readonly string[], rng: Rng, kill: boolean): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    process_.stdout.on('data', (chunk: Buffer) => {
      if (kill && timer === undefined && chunk.toString().includes('ready')) timer = setTimeout(() => process_.kill('SIGKILL'), rng.below(40));
    });
    process_.on('error', reject);
    process_.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

test(`import crash safety: SIGKILL ${kills} times mid-import, resume each time, end with the original ledger (seed ${seed})`, { timeout: 120_000 }, async (context) => {
  const temporary = temporaryDirectory();
  try {
    const chain = buildChain(join(temporary.directory, 'origin.sqlite'), seed, 40);
    const snapshot = exportSnapshot(chain.store, { chunkBytesMax: 2560 });
    const original = bytesToHex(contentsDigest(sqliteContents(chain.store)));
    const params = chain.economy.params;
    chain.store.close();
    const attestations = attest(snapshot.claim, authoritiesFrom(seed, 3)).map(encodeAttestation);
    const parts: Uint8Array[] = [u32(attestations.length), ...attestations.flatMap((bytes) => [u32(bytes.length), bytes]), u32(snapshot.chunks.length)];
    snapshot.chunks.forEach((chunk, index) => {
      const proof = snapshot.proveChunk(index);
      parts.push(u32(chunk.length), chunk, u32(proof.length), proof);
    });
    const snapshotPath = join(temporary.directory, 'snapshot.bin');
    const paramsPath = join(temporary.directory, 'params.json');
    writeFileSync(snapshotPath, Buffer.concat(parts));
    writeFileSync(paramsPath, JSON.stringify(parametersToJson(params)));
    const ledgerPath = join(temporary.directory, 'joiner.sqlite');
    const rng = seededRng(seed);
    const written: number[] = [];
    for (let kill = 0; kill < kills; kill++) {
      const outcome = await runAndKill([ledgerPath, snapshotPath, paramsPath], rng, true);
      if (outcome === 'finished') break;
      const store = SqliteLedgerStore.open(ledgerPath, params);
      assert.equal(store.database.pragma('integrity_check', { simple: true }), 'ok');
      const tip = store.tip();
      if (tip !== null) {
        // Killed after finish committed: the file is the whole ledger, never a partial one.
        assert.equal(bytesToHex(contentsDigest(sqliteContents(store))), original, `kill ${kill}: a file with a tip holds the whole ledger`);
        store.close();
        written.push(snapshot.chunks.length);
        break;
      }
      store.close();
      const importer = SnapshotImporter.open(ledgerPath, params);
      const chunksWritten = importer.status?.chunksWritten ?? 0;
      importer.close();
      assert.ok(chunksWritten >= (written.at(-1) ?? 0) && chunksWritten <= snapshot.chunks.length);
      written.push(chunksWritten);
    }
    if (written.at(-1) !== snapshot.chunks.length) assert.equal(await runAndKill([ledgerPath, snapshotPath, paramsPath], rng, false), 'finished');
    const store = SqliteLedgerStore.open(ledgerPath, params);
    try {
      assert.equal(bytesToHex(contentsDigest(sqliteContents(store))), original);
    } finally {
      store.close();
    }
    context.diagnostic(`chunks written at each kill: ${written.join(' ')} of ${snapshot.chunks.length}`);
    // The kills landed inside the import, not all before or after it.
    assert.ok(written.some((count) => count > 0 && count < snapshot.chunks.length), `chunks written at each kill: ${written.join(' ')} of ${snapshot.chunks.length}`);
  } finally {
    temporary.cleanup();
  }
});
