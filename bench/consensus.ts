import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, schnorrPublicKey } from '../names/index.ts';
import { fastSchnorrSign, fastSchnorrVerify } from '../agent/chain/index.ts';
import { AgentProcess, createDevnet, LoadClient } from '../agent/devnet/index.ts';
import { formatNumber, report, type JsonValue, type TableRow } from './report.ts';

/**
 * `npm run bench -- consensus [--json] [--agents 4,7] [--block-ms 100] [--seconds S]`
 *
 * Devnets of 4 and 7 agents, each agent its own process on loopback (the real daemon, sessions,
 * ledger files), a load client in this process:
 * - finality latency: submit → the first agent's "finalized" notice, at a light load (p50, p99);
 * - throughput at saturation: up to 750 payments in flight (three full blocks), each lane paying
 *   again as soon as its previous payment is final; finalized payments per second over the window
 *   after a 5 s warm-up;
 * - energy: CPU seconds of all agent processes (utime + stime from /proc/<pid>/stat) over the
 *   window, per finalized transaction, at 15 W per core;
 * - the verification ceiling, measured in the same run before the agents start: BIP340
 *   verifications per second on one core (libsecp256k1, what agents use) × cores ÷ agents, since
 *   every agent verifies every one-signature payment once.
 */

const wattsPerCore = 15;

type Result = { finalityP50Ms: number; finalityP99Ms: number; txPerSec: number; joulesPerTx: number; verifyCeilingTxPerSec: number; cpuSecondsPerTx: number; blocksPerSec: number };

function option(args: readonly string[], name: string, fallback: string): string {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

const clockTicks = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return 0;
  }
}

/** Verifications per second on one core, for ~1 s. */
function verifyRate(): number {
  const secretKey = randomBytes(32);
  const publicKey = schnorrPublicKey(secretKey);
  const messages = Array.from({ length: 64 }, () => randomBytes(32));
  const signatures = messages.map((message) => fastSchnorrSign(message, secretKey, randomBytes(32)));
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < 1_000) {
    for (let index = 0; index < 64; index++) if (!fastSchnorrVerify(signatures[index]!, messages[index]!, publicKey)) throw new Error('bench: a valid signature failed');
    count += 64;
  }
  return (count * 1000) / (performance.now() - started);
}

async function measure(agentCount: number, blockIntervalMs: number, seconds: number, basePort: number): Promise<Result> {
  const verifyCeilingTxPerSec = (verifyRate() * cpus().length) / agentCount;
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-consensus-'));
  const devnet = createDevnet({ dir, agents: agentCount, basePort, blockIntervalMs, faucetOutputs: 8192 });
  const agents = devnet.agents.map((agent) => new AgentProcess(agent));
  let load: LoadClient | undefined;
  try {
    for (const agent of agents) agent.start();
    const deadline = performance.now() + 60_000;
    while (!agents.every((agent) => agent.height >= 3)) {
      if (performance.now() > deadline) throw new Error('bench: the devnet did not start');
      await sleep(100);
    }
    load = await LoadClient.open(devnet, { resendMs: 20_000, inFlightMax: 750 });
    while (load.connectedAgents() < agentCount) await sleep(50);
    // Latency at a light load: 50 tx/s.
    await load.run(50, 3_000);
    const latencyFrom = load.stats.latenciesMs.length;
    await load.run(50, seconds * 1000);
    const latencies = load.stats.latenciesMs.slice(latencyFrom).sort((a, b) => a - b);
    // Saturation: every idle lane submits at once; warm up, then measure a window.
    await load.run(1_000_000, 5_000);
    const cpuBefore = agents.reduce((sum, agent) => sum + cpuSeconds(agent.pid), 0);
    const finalizedBefore = load.stats.finalized;
    const heightBefore = Math.min(...agents.map((agent) => agent.height));
    const windowStarted = performance.now();
    await load.run(1_000_000, seconds * 1000);
    const windowSeconds = (performance.now() - windowStarted) / 1000;
    const cpu = agents.reduce((sum, agent) => sum + cpuSeconds(agent.pid), 0) - cpuBefore;
    const finalized = load.stats.finalized - finalizedBefore;
    const blocks = Math.min(...agents.map((agent) => agent.height)) - heightBefore;
    const cpuSecondsPerTx = finalized > 0 ? cpu / finalized : Number.NaN;
    return {
      finalityP50Ms: percentile(latencies, 0.5),
      finalityP99Ms: percentile(latencies, 0.99),
      txPerSec: finalized / windowSeconds,
      joulesPerTx: cpuSecondsPerTx * wattsPerCore,
      verifyCeilingTxPerSec,
      cpuSecondsPerTx,
      blocksPerSec: blocks / windowSeconds,
    };
  } finally {
    await load?.close();
    await Promise.all(agents.map((agent) => agent.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const counts = option(args, 'agents', '4,7').split(',').map(Number);
  const blockIntervalMs = Number(option(args, 'block-ms', '100'));
  const seconds = Number(option(args, 'seconds', '15'));
  const results: { [key: string]: JsonValue } = {};
  const rows: TableRow[] = [];
  for (const [index, count] of counts.entries()) {
    process.stderr.write(`consensus: ${count} agents, a block every ${blockIntervalMs} ms…\n`);
    const result = await measure(count, blockIntervalMs, seconds, 31_000 + 200 * index + 2 * Math.floor(Math.random() * 50));
    results[`agents${count}`] = { finalityP50Ms: round(result.finalityP50Ms), finalityP99Ms: round(result.finalityP99Ms), txPerSec: round(result.txPerSec), joulesPerTx: round(result.joulesPerTx, 4), verifyCeilingTxPerSec: round(result.verifyCeilingTxPerSec) };
    rows.push({
      agents: String(count),
      'finality p50 (ms)': result.finalityP50Ms,
      'finality p99 (ms)': result.finalityP99Ms,
      'tx/s at saturation': result.txPerSec,
      'blocks/s': result.blocksPerSec,
      'CPU ms/tx (all agents)': result.cpuSecondsPerTx * 1000,
      'J/tx at 15 W/core': result.joulesPerTx,
      'verify ceiling (tx/s)': result.verifyCeilingTxPerSec,
    });
  }
  report('consensus', results, rows, args);
  if (!args.includes('--json')) process.stdout.write(`\nTargets: p50 ≤ 150 ms, p99 ≤ 500 ms, ≥ 1,000 tx/s with 4 agents, ≤ 1 J/tx. ${formatNumber(cpus().length)} cores.\n`);
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
