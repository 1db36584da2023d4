import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesToHex, seededRng, type Rng } from '../../names/index.ts';
import { encodeBlock } from '../../agent/ledger/block-codec.ts';
import { contentsDigest, memoryContents } from '../../agent/ledger/state-contents.ts';
import { MemoryLedgerState } from '../../agent/ledger/state-memory.ts';
import { sqliteContents } from '../../agent/ledger/store-contents.ts';
import { SqliteLedgerStore } from '../../agent/ledger/store-sqlite.ts';
import { TestEconomy } from './chain.ts';
import { parametersToJson } from './vector-json.ts';

/**
 * Crash safety: a child process applies blocks to a ledger file (synchronous=FULL, one SQLite
 * transaction per block) and is SIGKILLed at random moments, 50 times in all. After every kill
 * the file must hold exactly the state after some block — the digest of everything in it equals
 * the in-memory replay's at the file's tip height — never a partial block. Two lanes run side
 * by side (two cores; most of a child's life is starting up).
 */
const killsPerLane = 25;
const lanes = 2;
const seed = Number(process.env.LEDGER_CRASH_SEED ?? 20_240_601);
const child = new URL('./crash-child.ts', import.meta.url).pathname;

type Prepared = { directory: string; blocksPath: string; paramsPath: string; digests: string[] };

function prepare(): Prepared {
  const economy = new TestEconomy(seed);
  let state = MemoryLedgerState.empty(economy.params);
  const digests: string[] = [];
  const encoded: Uint8Array[] = [];
  for (let height = 0; height <= 60; height++) {
    const block = economy.block(state, height === 0 ? [economy.genesisTransaction()] : economy.payments(1 + economy.rng.below(3)));
    const result = state.apply(block);
    if (!result.ok) throw result.error;
    state = result.state;
    digests.push(bytesToHex(contentsDigest(memoryContents(state))));
    const bytes = encodeBlock(block);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    encoded.push(length, bytes);
  }
  const directory = mkdtempSync(join(tmpdir(), 'parley-ledger-crash-'));
  const blocksPath = join(directory, 'blocks.bin');
  writeFileSync(blocksPath, Buffer.concat(encoded));
  const paramsPath = join(directory, 'params.json');
  writeFileSync(paramsPath, JSON.stringify(parametersToJson(economy.params)));
  return { directory, blocksPath, paramsPath, digests };
}

/** Starts the child, waits until it is applying blocks, sleeps a random moment, kills it. */
function runAndKill(ledgerPath: string, prepared: Prepared, rng: Rng): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', child, ledgerPath, prepared.blocksPath, prepared.paramsPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    process_.stdout.on('data', (chunk: Buffer) => {
      if (timer === undefined && chunk.toString().includes('ready')) {
        timer = setTimeout(() => process_.kill('SIGKILL'), rng.below(120));
      }
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

async function lane(index: number, prepared: Prepared): Promise<number[]> {
  const rng = seededRng(seed + index);
  const ledgerPath = join(prepared.directory, `ledger-${index}.sqlite`);
  const heights: number[] = [];
  const params = new TestEconomy(seed).params;
  for (let kill = 0; kill < killsPerLane; kill++) {
    const outcome = await runAndKill(ledgerPath, prepared, rng);
    const store = SqliteLedgerStore.open(ledgerPath, params);
    try {
      const height = store.tip()?.header.height ?? -1;
      if (height >= 0) {
        const digest = bytesToHex(contentsDigest(sqliteContents(store)));
        assert.equal(digest, prepared.digests[height], `seed ${seed} lane ${index} kill ${kill}: the file at height ${height} is not the state after block ${height}`);
      }
      assert.equal(store.database.pragma('integrity_check', { simple: true }), 'ok');
      heights.push(height);
    } finally {
      store.close();
    }
    if (outcome === 'finished' || heights.at(-1) === prepared.digests.length - 1) {
      // The whole chain is in: start over with an empty file.
      for (const suffix of ['', '-wal', '-shm']) rmSync(ledgerPath + suffix, { force: true });
    }
  }
  return heights;
}

test(`crash safety: SIGKILL at random moments, ${lanes * killsPerLane} times, leaves the last committed block (seed ${seed})`, { timeout: 180_000 }, async () => {
  const prepared = prepare();
  try {
    const results = await Promise.all(Array.from({ length: lanes }, (_, index) => lane(index, prepared)));
    const heights = results.flat();
    assert.equal(heights.length, lanes * killsPerLane);
    // The kills landed at many different points of the chain, not all before or after it.
    assert.ok(new Set(heights).size >= 10, `kills landed at only ${new Set(heights).size} distinct heights: ${heights.join(' ')}`);
  } finally {
    rmSync(prepared.directory, { recursive: true, force: true });
  }
});
