import { seededRng, type Rng } from '../../names/index.ts';
import { devnetConsensusParams, type ConsensusParams, type StandingParams } from '../../agent/consensus/index.ts';
import { behaviors, type Behavior } from './byzantine.ts';
import type { LinkProfile } from './network.ts';

/**
 * A simulation scenario, drawn from one seed: peers and their stake per snapshot, who is
 * Byzantine and how, the network's weather, and a timeline of partitions and crashes. Sizes are
 * small (4–7 peers, 3–6 heights) so CI runs hundreds of seeds.
 */

export type Fault =
  | { readonly atMs: number; readonly kind: 'partition'; readonly groups: readonly (readonly number[])[] }
  | { readonly atMs: number; readonly kind: 'heal' }
  | { readonly atMs: number; readonly kind: 'crash'; readonly peer: number }
  | { readonly atMs: number; readonly kind: 'restart'; readonly peer: number; readonly forgetful?: boolean };

export type Scenario = {
  readonly seed: number;
  /** 'safety': Byzantine weight < 1/3, nothing may fork. 'accountability': ≥ 1/3 equivocate in a split brain. */
  readonly mode: 'safety' | 'accountability';
  readonly peerCount: number;
  readonly byzantine: ReadonlyMap<number, readonly Behavior[]>;
  /** stakes[k][i]: stake hosted with peer i after snapshot block k·interval. */
  readonly stakes: readonly (readonly bigint[])[];
  readonly standing: StandingParams;
  readonly consensus: ConsensusParams;
  readonly link: LinkProfile;
  readonly faults: readonly Fault[];
  readonly targetHeight: number;
  /** No fault starts or lasts after this time. */
  readonly stableAtMs: number;
  /** After stableAtMs every honest peer must finalize a new block within this bound. */
  readonly livenessBoundMs: number;
  /** Accountability mode: the two honest sides of the split, and how the Byzantine peers fork them. */
  readonly split: { readonly sideA: readonly number[]; readonly sideB: readonly number[]; readonly fork: ForkPlan } | null;
};

/**
 * How the Byzantine peers' side-B instances behave at height 1 (side A always finalizes in
 * round 0 with the Byzantine first proposer):
 * - 'same-round': like side A, so side B finalizes in round 0 too (two certificates of one round);
 * - 'amnesia': silent in rounds below `silentRounds` and their precommits withheld below
 *   `withheldPrecommitRounds`, so side B finalizes in a later round, the Byzantine peers
 *   prevoting another block there with no lock although their side-A selves precommitted B in
 *   round 0 (a lock violation the forensic exchange must find);
 * - 'amnesia-polka': they prevote side B's block in round 0 (side B locks it) but withhold their
 *   precommits below `withheldPrecommitRounds`; side B finalizes later, every prevote then citing
 *   round 0's quorum, so only the round-0 prevote equivocation (side A's logs against side B's)
 *   convicts them.
 */
export type ForkPlan = { readonly kind: 'same-round' | 'amnesia' | 'amnesia-polka'; readonly silentRounds: number; readonly withheldPrecommitRounds: number };

const snapshotCount = 4;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.below(items.length)]!;
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

export function makeScenario(seed: number, options: { accountabilityEvery?: number } = {}): Scenario {
  const every = options.accountabilityEvery ?? 10;
  return every > 0 && seed % every === every - 1 ? accountabilityScenario(seed) : safetyScenario(seed);
}

function safetyScenario(seed: number): Scenario {
  const rng = seededRng(seed);
  const peerCount = 4 + rng.below(4);
  const faultyMax = Math.floor((peerCount - 1) / 3);
  const faultyCount = rng.unit() < 0.3 ? 0 : 1 + rng.below(faultyMax);
  const byzantine = new Map<number, Behavior[]>();
  while (byzantine.size < faultyCount) {
    const peer = rng.below(peerCount);
    if (byzantine.has(peer)) continue;
    const chosen = behaviors.filter(() => rng.unit() < 0.35);
    byzantine.set(peer, chosen.length > 0 ? chosen : [pick(rng, behaviors)]);
  }
  const standing: StandingParams =
    faultyCount === 0
      ? // Honest only: aggressive accounting, so jailing happens within a short run.
        { snapshotDelayBlocks: 2, snapshotIntervalBlocks: 3, minimumStake: 2n, missedWindowHeights: 4, missedMax: 2, jailHeights: 3 }
      : // With Byzantine peers no honest peer may be jailed (that would lift the Byzantine share).
        { snapshotDelayBlocks: 2, snapshotIntervalBlocks: 3, minimumStake: 2n, missedWindowHeights: 64, missedMax: 60, jailHeights: 3 };
  const stakes = drawStakes(rng, peerCount, byzantine, standing.minimumStake);
  const link: LinkProfile = {
    loss: rng.unit() < 0.3 ? 0 : rng.unit() * 0.2,
    duplicate: rng.unit() * 0.1,
    delayMinMs: 1 + rng.below(10),
    delayMaxMs: 11 + rng.below(50),
    // Until the last fault, some copies are held back for up to seconds: the asynchrony in
    // which Tendermint's locks are what keeps a quorum from finalizing a second block.
    spike: rng.unit() < 0.5 ? 0 : rng.unit() * 0.5,
    spikeMaxMs: 200 + rng.below(2000),
  };
  const drawn = drawFaults(rng, peerCount, byzantine);
  // Asynchrony lasts a while (2–8 s of virtual time) when the link has spikes.
  const stableAtMs = link.spike > 0 ? Math.max(drawn.stableAtMs, 2000 + rng.below(6000)) : drawn.stableAtMs;
  const faults = drawn.faults;
  return {
    seed,
    mode: 'safety',
    peerCount,
    byzantine,
    stakes,
    standing,
    consensus: devnetConsensusParams,
    link,
    faults,
    targetHeight: 3 + rng.below(4),
    stableAtMs,
    livenessBoundMs: 60_000,
    split: null,
  };
}

/** Stakes per snapshot with the Byzantine share of the eligible weight below 1/3 at each. */
function drawStakes(rng: Rng, peerCount: number, byzantine: ReadonlyMap<number, readonly Behavior[]>, minimumStake: bigint): bigint[][] {
  const stakes: bigint[][] = [];
  for (let snapshot = 0; snapshot < snapshotCount; snapshot++) {
    for (let attempt = 0; ; attempt++) {
      const row = Array.from({ length: peerCount }, (_, peer) =>
        // Now and then an honest peer drops below the minimum and leaves the set for a while.
        !byzantine.has(peer) && rng.unit() < 0.1 ? minimumStake - 1n : BigInt(1 + rng.below(20)) * minimumStake,
      );
      const eligible = row.map((stake) => (stake >= minimumStake ? stake : 0n));
      const faulty = sum(eligible.filter((_, peer) => byzantine.has(peer)));
      const honestMembers = eligible.filter((stake, peer) => stake > 0n && !byzantine.has(peer)).length;
      if (3n * faulty < sum(eligible) && honestMembers >= 3) {
        stakes.push(row);
        break;
      }
      if (attempt > 1000) {
        stakes.push(Array.from({ length: peerCount }, (_, peer) => (byzantine.has(peer) ? minimumStake : 10n * minimumStake)));
        break;
      }
    }
  }
  return stakes;
}

function drawFaults(rng: Rng, peerCount: number, byzantine: ReadonlyMap<number, readonly Behavior[]>): { faults: Fault[]; stableAtMs: number } {
  const faults: Fault[] = [];
  let cursorMs = 100 + rng.below(500);
  for (let episode = rng.below(3); episode > 0; episode--) {
    const groupCount = rng.unit() < 0.8 ? 2 : 3;
    const groups: number[][] = Array.from({ length: groupCount }, () => []);
    for (let peer = 0; peer < peerCount; peer++) groups[rng.below(groupCount)]!.push(peer);
    const lengthMs = 200 + rng.below(3000);
    faults.push({ atMs: cursorMs, kind: 'partition', groups }, { atMs: cursorMs + lengthMs, kind: 'heal' });
    cursorMs += lengthMs + rng.below(800);
  }
  const crashable = Array.from({ length: peerCount }, (_, peer) => peer);
  for (let episode = rng.below(3); episode > 0; episode--) {
    const peer = pick(rng, crashable);
    const atMs = 50 + rng.below(Math.max(cursorMs, 2000));
    faults.push({ atMs, kind: 'crash', peer }, { atMs: atMs + 100 + rng.below(3000), kind: 'restart', peer, forgetful: rng.unit() < 0.5 });
  }
  for (const [peer, chosen] of byzantine) {
    if (!chosen.includes('amnesia')) continue;
    // Amnesia: crash and come back with an empty guard, a few times.
    for (let episode = 1 + rng.below(3); episode > 0; episode--) {
      const atMs = 50 + rng.below(Math.max(cursorMs, 3000));
      faults.push({ atMs, kind: 'crash', peer }, { atMs: atMs + 1 + rng.below(300), kind: 'restart', peer });
    }
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return { faults: mergeCrashes(faults), stableAtMs: faults.reduce((latest, fault) => Math.max(latest, fault.atMs), 0) };
}

/** Keeps each peer's crash/restart pairs from overlapping: a crash of a down peer is dropped. */
function mergeCrashes(faults: Fault[]): Fault[] {
  const down = new Map<number, number>();
  const out: Fault[] = [];
  for (const fault of faults) {
    if (fault.kind === 'crash') {
      down.set(fault.peer, (down.get(fault.peer) ?? 0) + 1);
      if (down.get(fault.peer) === 1) out.push(fault);
    } else if (fault.kind === 'restart') {
      const depth = (down.get(fault.peer) ?? 0) - 1;
      down.set(fault.peer, depth);
      if (depth === 0) out.push(fault);
    } else {
      out.push(fault);
    }
  }
  return out;
}

/**
 * ≥ 1/3 Byzantine: a split brain. Every peer goes to one of three places (Byzantine, honest side
 * A, honest side B) such that each side plus the Byzantine peers holds more than 2/3: both sides
 * can finalize, and the Byzantine peers, running one instance per side, sign both.
 */
function accountabilityScenario(seed: number): Scenario {
  const rng = seededRng(seed);
  const peerCount = 4 + rng.below(4);
  const weights = Array.from({ length: peerCount }, () => BigInt(1 + rng.below(10)));
  const total = sum(weights);
  const kinds = ['same-round', 'amnesia', 'amnesia-polka'] as const;
  const drawn = kinds[rng.below(kinds.length)]!;
  const placements = (crossRound: boolean): number[][] => {
    const feasible: number[][] = [];
    for (let code = 0; code < 3 ** peerCount; code++) {
      const place = Array.from({ length: peerCount }, (_, peer) => Math.floor(code / 3 ** peer) % 3);
      const weightOf = (where: number): bigint => sum(weights.filter((_, peer) => place[peer] === where));
      const [faulty, sideA, sideB] = [weightOf(0), weightOf(1), weightOf(2)];
      if (sideA === 0n || sideB === 0n) continue;
      // Cross-round forks are accountable only below 2/3 Byzantine weight: from 2/3 on, a
      // certificate may hold no honest signer, whose vote log would show how it came about.
      if (crossRound && 3n * faulty >= 2n * total) continue;
      if (3n * (faulty + sideA) > 2n * total && 3n * (faulty + sideB) > 2n * total) feasible.push(place);
    }
    return feasible;
  };
  const crossRound = drawn !== 'same-round' && placements(true).length > 0;
  const place = pick(rng, placements(crossRound));
  const kind = crossRound ? drawn : 'same-round';
  const fork: ForkPlan = {
    kind,
    silentRounds: kind === 'amnesia' ? 1 : 0,
    withheldPrecommitRounds: kind === 'amnesia' ? 1 + rng.below(3) : kind === 'amnesia-polka' ? 1 + rng.below(2) : 0,
  };
  const byzantine = new Map<number, Behavior[]>();
  place.forEach((where, peer) => where === 0 && byzantine.set(peer, ['split-brain']));
  // A cross-round fork needs side B to finalize in a later round before the heal.
  const healAtMs = kind === 'same-round' ? 2000 : 8000;
  return {
    seed,
    mode: 'accountability',
    peerCount,
    byzantine,
    stakes: [weights],
    standing: { snapshotDelayBlocks: 1000, snapshotIntervalBlocks: 4096, minimumStake: 1n, missedWindowHeights: 64, missedMax: 60, jailHeights: 3 },
    consensus: devnetConsensusParams,
    link: { loss: 0, duplicate: 0, delayMinMs: 1, delayMaxMs: 10, spike: 0, spikeMaxMs: 0 },
    faults: [{ atMs: healAtMs, kind: 'heal' }],
    targetHeight: 1,
    stableAtMs: healAtMs,
    livenessBoundMs: 10_000,
    split: { sideA: place.flatMap((where, peer) => (where === 1 ? [peer] : [])), sideB: place.flatMap((where, peer) => (where === 2 ? [peer] : [])), fork },
  };
}
