import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { bytesToHex, seededRng } from '../../names/index.ts';
import { chainFiles } from '../../agent/chain/index.ts';
import { AgentProcess, createDevnet, LoadClient } from '../../agent/devnet/index.ts';

/**
 * The real-process test of issue 6: a devnet of 4 agents, each its own process on loopback,
 * under a steady transaction load; one agent at a time is SIGKILLed at a random moment and
 * restarted, 20 times. The chain must keep finalizing, never fork (every agent's block hash
 * agrees at every height), lose no finalized transaction, and every restarted agent must catch
 * up. The seed of the random moments is printed, so a failing run can be replayed
 * (DEVNET_SEED=…); the timing of a real machine still varies. Every agent's event log and the
 * test's own steps go to events.log in the devnet folder, which a failing run keeps (so does
 * DEVNET_KEEP=1).
 */

const agentCount = 4;
const kills = Number(process.env['DEVNET_KILLS'] ?? 20);
const seed = Number(process.env['DEVNET_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freeBasePort(rng: ReturnType<typeof seededRng>): Promise<number> {
  for (;;) {
    const base = 20_000 + 2 * rng.below(15_000);
    const ok = await Promise.all(
      Array.from({ length: 2 * agentCount }, (_, offset) => new Promise<boolean>((resolve) => {
        const socket = createSocket('udp4');
        socket.once('error', () => resolve(false));
        socket.bind(base + offset, '127.0.0.1', () => socket.close(() => resolve(true)));
      })),
    );
    if (ok.every(Boolean)) return base;
  }
}

async function waitFor(what: string | (() => string), condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    assert.ok(performance.now() < deadline, `timed out waiting for ${typeof what === 'string' ? what : what()} (seed ${seed})`);
    await sleep(200);
  }
}

type ChainFile = {
  hashes: Map<number, string>;
  /** Ledger `blocks` header hashes by height. */
  headers: Map<number, string>;
  transactions: Map<string, number>;
  /** Ledger transaction rows per height. */
  counts: Map<number, number>;
};

function readChain(dataDir: string): ChainFile {
  const db = new Database(join(dataDir, chainFiles.ledger), { readonly: true });
  try {
    // One read transaction: every table from the same snapshot of the file.
    return db.transaction(() => {
      const hashes = new Map((db.prepare('SELECT height, hash FROM chain_blocks').all() as { height: number; hash: Uint8Array }[]).map((row) => [row.height, bytesToHex(row.hash)]));
      const headers = new Map((db.prepare('SELECT height, hash FROM blocks').all() as { height: number; hash: Uint8Array }[]).map((row) => [row.height, bytesToHex(row.hash)]));
      const transactions = new Map((db.prepare('SELECT hash, height FROM transactions WHERE height > 0').all() as { hash: Uint8Array; height: number }[]).map((row) => [bytesToHex(row.hash), row.height]));
      const counts = new Map((db.prepare('SELECT height, COUNT(*) AS n FROM transactions GROUP BY height').all() as { height: number; n: number }[]).map((row) => [row.height, row.n]));
      return { hashes, headers, transactions, counts };
    })();
  } finally {
    db.close();
  }
}

/** Every height 0..max in chain_blocks, and the ledger's `blocks` holds exactly those heights. */
function checkContiguous(name: string, chain: ChainFile): void {
  const max = Math.max(...chain.hashes.keys());
  const gaps: number[] = [];
  for (let height = 0; height <= max; height++) if (!chain.hashes.has(height)) gaps.push(height);
  assert.deepEqual(gaps, [], `${name}: chain_blocks ends at ${max} but lacks heights ${gaps.slice(0, 20).join(', ')} (seed ${seed})`);
  const ledgerOnly = [...chain.headers.keys()].filter((height) => !chain.hashes.has(height)).sort((a, b) => a - b);
  const chainOnly = [...chain.hashes.keys()].filter((height) => !chain.headers.has(height)).sort((a, b) => a - b);
  assert.deepEqual(chainOnly, [], `${name}: chain_blocks rows without a ledger block at heights ${chainOnly.slice(0, 20).join(', ')} (seed ${seed})`);
  assert.deepEqual(ledgerOnly, [], `${name}: ledger blocks without a chain_blocks row at heights ${ledgerOnly.slice(0, 20).join(', ')} (seed ${seed})`);
}

test(`devnet: ${agentCount} agents under load, ${kills} SIGKILLs and restarts, no fork and nothing final lost (seed ${seed})`, { timeout: 600_000 }, async (t) => {
  const rng = seededRng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'parley-devnet-test-'));
  const devnet = createDevnet({ dir, agents: agentCount, basePort: await freeBasePort(rng), blockIntervalMs: 300, faucetOutputs: 1024 });
  const faults: string[] = [];
  const events = join(dir, 'events.log');
  const note = (text: string): void => appendFileSync(events, `${new Date().toISOString()} ${text}\n`);
  let passed = false;
  const agents = devnet.agents.map((agent) => new AgentProcess(agent, (line) => {
    note(`${line.agent} ${line.code} ${line.message}`);
    if (line.code === 'CHAIN_FORK' || line.code === 'CHAIN_STORE_MISMATCH' || line.code === 'CHAIN_EVIDENCE') faults.push(`${line.agent}: ${line.code} ${line.message}`);
  }));
  let load: LoadClient | undefined;
  t.after(async () => {
    await load?.close();
    await Promise.all(agents.map((agent) => agent.stop()));
    if (passed && process.env['DEVNET_KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
    else t.diagnostic(`devnet folder kept: ${dir} (events.log)`);
  });
  for (const agent of agents) agent.start();
  const top = (): number => Math.max(...agents.map((agent) => agent.height));
  await waitFor('the first blocks', () => agents.every((agent) => agent.height >= 3), 60_000);

  load = await LoadClient.open(devnet);
  const loading = load.run(20, Number.POSITIVE_INFINITY);
  await waitFor('the first finalized transactions', () => load!.stats.finalized > 20, 60_000);

  // Progress watch: the longest time the top height stood still while agents were being killed.
  let longestStallMs = 0;
  let lastTop = top();
  let lastMoveMs = performance.now();
  const watch = setInterval(() => {
    const now = performance.now();
    if (top() > lastTop) {
      lastTop = top();
      lastMoveMs = now;
    }
    longestStallMs = Math.max(longestStallMs, now - lastMoveMs);
  }, 100);

  const catchUps: { agent: string; target: number }[] = [];
  const startTop = top();
  for (let kill = 0; kill < kills; kill++) {
    await sleep(800 + rng.below(2_500));
    const victim = agents[rng.below(agentCount)]!;
    await victim.kill();
    note(`test killed ${victim.agent.name} (kill ${kill + 1}), top ${top()}`);
    await sleep(300 + rng.below(1_500));
    catchUps.push({ agent: victim.agent.name, target: top() });
    note(`test restarts ${victim.agent.name}, top ${top()}`);
    victim.start();
  }
  const killedTop = top();

  // Quiet down: stop submitting, let every agent reach one height, and every lane settle.
  load.stop();
  await loading;
  const finalTop = top() + 3;
  await waitFor(() => `every agent at height ${finalTop}: ${agents.map((agent) => `${agent.agent.name} ${agent.height}${agent.running ? '' : ' (exited)'}`).join(', ')}`, () => agents.every((agent) => agent.height >= finalTop), 120_000);
  clearInterval(watch);
  await Promise.all(agents.map((agent) => agent.stop()));

  const chains = agents.map((agent) => readChain(agent.agent.dataDir));
  // Contiguous: no agent holds a chain row without its ledger block, or a gap in heights.
  for (const [index, chain] of chains.entries()) checkContiguous(agents[index]!.agent.name, chain);
  // No fork: every pair of agents agrees on every height both hold, chain block and ledger header,
  // and holds as many transactions there.
  const heights = Math.max(...chains.map((chain) => chain.hashes.size));
  for (let height = 0; height < heights; height++) {
    const seen = new Set(chains.map((chain) => chain.hashes.get(height)).filter((hash) => hash !== undefined));
    assert.ok(seen.size <= 1, `height ${height}: agents finalized ${seen.size} different blocks (seed ${seed})`);
    const headers = new Set(chains.map((chain) => chain.headers.get(height)).filter((hash) => hash !== undefined));
    assert.ok(headers.size <= 1, `height ${height}: agents hold ${headers.size} different ledger headers (seed ${seed})`);
    const counts = chains.filter((chain) => chain.headers.has(height)).map((chain) => chain.counts.get(height) ?? 0);
    assert.ok(new Set(counts).size <= 1, `height ${height}: agents hold ${counts.join('/')} transactions (seed ${seed})`);
  }
  // Caught up: every agent holds every height up to the final top, so each restart's target too.
  for (const [index, chain] of chains.entries()) {
    assert.ok(chain.hashes.size > finalTop, `${agents[index]!.agent.name} holds ${chain.hashes.size} heights, below ${finalTop} (seed ${seed})`);
  }
  for (const { agent, target } of catchUps) assert.ok(chains[agents.findIndex((a) => a.agent.name === agent)]!.hashes.size > target, `${agent} never caught up to ${target}`);
  // Nothing final lost: every transaction the client saw finalized is in every ledger, at that
  // height — in every ledger that reached that height (agents stop one after another, and the
  // others finalize a few more blocks meanwhile: those are above a stopped agent's tip).
  const finalized = load.stats.finalizedAt;
  assert.ok(finalized.size > 100, `only ${finalized.size} transactions were finalized (seed ${seed})`);
  const commonTop = Math.min(...chains.map((chain) => Math.max(...chain.hashes.keys())));
  const countUpTo = (chain: ChainFile, top: number): number => [...chain.transactions.values()].filter((height) => height <= top).length;
  for (const [index, chain] of chains.entries()) {
    const tip = Math.max(...chain.hashes.keys());
    for (const [hash, height] of finalized) {
      if (height > tip) continue;
      assert.equal(chain.transactions.get(hash), height, `${agents[index]!.agent.name}: transaction ${hash.slice(0, 16)} finalized at ${height} is ${chain.transactions.has(hash) ? 'at another height' : 'missing'} (its tip ${tip}, seed ${seed})`);
    }
    assert.equal(countUpTo(chain, commonTop), countUpTo(chains[0]!, commonTop), `${agents[index]!.agent.name} holds another number of transactions up to height ${commonTop} (seed ${seed})`);
  }
  assert.ok(killedTop > startTop + 10, `the chain kept finalizing while agents were killed: ${startTop} → ${killedTop} (seed ${seed})`);
  assert.deepEqual(faults, [], `no fork, evidence or store mismatch was logged (seed ${seed})`);
  passed = true;
  t.diagnostic(`seed ${seed}: heights ${startTop} → ${killedTop} during ${kills} kills, final ${finalTop}; ${finalized.size} transactions finalized, ${load.stats.resent} resent; longest stall ${Math.round(longestStallMs)} ms`);
});
