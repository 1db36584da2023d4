import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSeed, type SimResult } from './run.ts';

/**
 * The deterministic simulator in CI: 500 seeds with the fast crypto stand-ins (every tenth an
 * accountability scenario with ≥ 1/3 Byzantine weight, forking in one round or across rounds:
 * lock violations and the forensic exchange must convict), a few with real BIP340 and VRF, and
 * an exact replay. A failure names its seeds; `npm run sim -- --seed S` replays one.
 */

const seedCount = 500;

function report(failures: SimResult[]): string {
  return failures
    .slice(0, 10)
    .map((result) => `seed ${result.seed} (${result.scenario.mode}): ${result.violations[0]}\n  replay: npm run sim -- --seed ${result.seed}`)
    .join('\n');
}

test(`${seedCount} seeds: agreement, validity, beacon, no framing, liveness after faults, accountability`, (context) => {
  const failures: SimResult[] = [];
  const totals = { heights: 0, rounds: 0, evidence: 0, lockViolations: 0, crossRoundForks: 0, convicted: 0, jailed: 0, forks: 0, forgedBeaconsRejected: 0, restarts: 0, accountability: 0, equivocations: 0, grindWithheld: 0 };
  for (let seed = 1; seed <= seedCount; seed++) {
    const result = runSeed(seed);
    if (!result.ok) failures.push(result);
    const { stats } = result;
    totals.heights += stats.heights;
    totals.rounds += stats.rounds;
    totals.evidence += stats.evidence;
    totals.lockViolations += stats.lockViolations;
    totals.crossRoundForks += stats.crossRoundForks;
    totals.convicted += stats.convicted;
    totals.jailed += stats.jailed;
    totals.forks += stats.forks;
    totals.forgedBeaconsRejected += stats.forgedBeaconsRejected;
    totals.restarts += stats.restarts;
    totals.equivocations += stats.byzantine.equivocations;
    totals.grindWithheld += stats.byzantine.grindWithheld;
    if (result.scenario.mode === 'accountability') totals.accountability++;
  }
  assert.deepEqual(failures.map((result) => result.seed), [], `failing seeds:\n${report(failures)}`);
  // The runs must have exercised what they claim to check.
  for (const [name, total] of Object.entries(totals)) assert.ok(total > 0, `no run exercised ${name}`);
  context.diagnostic(`sim totals over ${seedCount} seeds: ${JSON.stringify(totals)}`);
});

test('real BIP340 signatures and the secp256k1 VRF on a few seeds (one a split brain)', () => {
  for (const seed of [1, 2, 3, 4, 9]) {
    const result = runSeed(seed, { realCrypto: true });
    assert.ok(result.ok, `seed ${seed} with real crypto: ${result.violations.join('; ')}\n  replay: npm run sim -- --seed ${seed} --real-crypto`);
  }
});

test('a seed replays exactly', () => {
  const first = runSeed(77);
  const second = runSeed(77);
  assert.deepEqual(second.stats, first.stats);
  assert.deepEqual(second.violations, first.violations);
});
