import { runSeed, type SimResult } from './run.ts';

/**
 * `npm run sim -- --seed S` replays one seed (and prints its scenario and every violation);
 * `npm run sim -- --seeds N [--from F]` runs N seeds with a progress line; `--real-crypto` uses
 * BIP340 and the secp256k1 VRF instead of the fast stand-ins. Exit code 1 when any seed fails.
 */

const usage = 'usage: npm run sim -- (--seed S | --seeds N [--from F]) [--real-crypto] [--verbose] [--trace]';

function parse(argv: readonly string[]): { seeds: number[]; realCrypto: boolean; verbose: boolean; trace: boolean } | null {
  let seeds: number[] | null = null;
  let from = 1;
  let count: number | null = null;
  let realCrypto = false;
  let verbose = false;
  let trace = false;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = (): number => {
      const parsed = Number(argv[++index]);
      if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${flag}: expected a non-negative integer`);
      return parsed;
    };
    if (flag === '--seed') seeds = [value()];
    else if (flag === '--seeds') count = value();
    else if (flag === '--from') from = value();
    else if (flag === '--real-crypto') realCrypto = true;
    else if (flag === '--verbose') verbose = true;
    else if (flag === '--trace') trace = true;
    else return null;
  }
  if (seeds === null && count !== null) seeds = Array.from({ length: count }, (_, index) => from + index);
  return seeds === null ? null : { seeds, realCrypto, verbose, trace };
}

function describe(result: SimResult): string {
  const { scenario, stats } = result;
  const byzantine = [...scenario.byzantine].map(([peer, chosen]) => `p${peer}:${chosen.join('+')}`).join(' ') || 'none';
  const fork = scenario.split === null ? '' : ` (fork plan ${JSON.stringify(scenario.split.fork)})`;
  return [
    `seed ${result.seed}: ${result.ok ? 'ok' : 'FAILED'} — ${scenario.mode}${fork}, ${scenario.peerCount} peers, byzantine ${byzantine}`,
    `  link loss ${scenario.link.loss.toFixed(3)} dup ${scenario.link.duplicate.toFixed(3)} delay ${scenario.link.delayMinMs}–${scenario.link.delayMaxMs} ms, spikes ${scenario.link.spike.toFixed(2)} up to ${scenario.link.spikeMaxMs} ms; faults ${scenario.faults.map((fault) => `${fault.kind}@${fault.atMs}`).join(' ') || 'none'}`,
    `  heights ${stats.heights}, extra rounds ${stats.rounds}, events ${stats.events}, delivered ${stats.delivered}, restarts ${stats.restarts}, virtual ${stats.virtualMs} ms, progress after last fault ${stats.progressAfterStableMs} ms`,
    `  evidence ${stats.evidence} (lock violations ${stats.lockViolations}), convicted ${stats.convicted}, jailed ${stats.jailed}, forks ${stats.forks} (across rounds ${stats.crossRoundForks}), forged beacons rejected ${stats.forgedBeaconsRejected}, byzantine ${JSON.stringify(stats.byzantine)}`,
    ...result.violations.map((violation) => `  ✗ ${violation}`),
  ].join('\n');
}

export function main(argv: readonly string[]): number {
  const options = parse(argv);
  if (options === null) {
    console.error(usage);
    return 2;
  }
  const started = performance.now();
  const failed: number[] = [];
  let worstProgressMs = 0;
  for (const [position, seed] of options.seeds.entries()) {
    const result = runSeed(seed, { realCrypto: options.realCrypto, ...(options.trace ? { trace: (line: string) => console.log(line) } : {}) });
    worstProgressMs = Math.max(worstProgressMs, result.stats.progressAfterStableMs);
    if (!result.ok) {
      failed.push(seed);
      console.log(`\n${describe(result)}\n  replay: npm run sim -- --seed ${seed}${options.realCrypto ? ' --real-crypto' : ''}`);
    } else if (options.verbose || options.seeds.length === 1) {
      console.log(describe(result));
    }
    if (options.seeds.length > 1 && (position % 25 === 24 || position === options.seeds.length - 1)) {
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`\r${position + 1}/${options.seeds.length} seeds, ${failed.length} failed, ${seconds.toFixed(1)} s, slowest recovery ${worstProgressMs} ms virtual   `);
    }
  }
  if (options.seeds.length > 1) process.stdout.write('\n');
  if (failed.length > 0) console.log(`failed seeds: ${failed.join(' ')}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
