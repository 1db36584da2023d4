import { bytesToHex, seededRng, taggedHash, type Rng } from '../../names/index.ts';
import {
  ConsensusNode,
  GuardedSigner,
  MemoryGuardStore,
  genesisSeed,
  makePeerSet,
  proposerOf,
  type ConsensusEvent,
  type ConsensusState,
  type ConsensusTransport,
  type GuardRecord,
  type GuardStore,
} from '../../agent/consensus/index.ts';
import { SimApp, type SimChainConfig } from './app.ts';
import { byzantineTransport, NullGuardStore, TwinSigner, type Behavior, type ByzantineStats, type TwinLink } from './byzantine.ts';
import { SimClock } from './clock.ts';
import { fastCrypto, realCrypto, type SimCrypto } from './crypto.ts';
import { Checker } from './invariants.ts';
import { SimNetwork } from './network.ts';
import { makeScenario, type Scenario } from './scenario.ts';

/**
 * One simulation run: builds the peers of a scenario on a virtual clock and network, plays
 * its faults, checks the invariants after every event (invariants.ts) and reports. The same
 * seed gives the same run, event for event.
 */

export type SimOptions = {
  /** Production BIP340 + VRF instead of the keyed-hash stand-ins (slower). */
  readonly realCrypto?: boolean;
  /** Every how many seeds one is an accountability (≥ 1/3 Byzantine) scenario; 0 for none. */
  readonly accountabilityEvery?: number;
  readonly eventsMax?: number;
  /** Receives a line per honest commit, dropped message and fault, and peer positions every second. */
  readonly trace?: (line: string) => void;
};

export type SimStats = {
  heights: number;
  rounds: number;
  events: number;
  delivered: number;
  evidence: number;
  /** Offenders convicted by a lock violation (distinct). */
  lockViolations: number;
  convicted: number;
  jailed: number;
  forgedBeaconsRejected: number;
  forks: number;
  /** Fork reports whose two certificates are of different rounds. */
  crossRoundForks: number;
  restarts: number;
  progressAfterStableMs: number;
  virtualMs: number;
  byzantine: ByzantineStats;
};

export type SimResult = {
  readonly seed: number;
  readonly ok: boolean;
  readonly scenario: Scenario;
  readonly violations: readonly string[];
  readonly stats: SimStats;
};

type SimPeer = {
  readonly index: number;
  readonly name: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly behaviors: ReadonlySet<Behavior>;
  readonly app: SimApp;
  readonly rng: Rng;
  guard: GuardStore;
  node: ConsensusNode | null;
};

export function runSeed(seed: number, options: SimOptions = {}): SimResult {
  return runScenario(makeScenario(seed, { accountabilityEvery: options.accountabilityEvery ?? 10 }), options);
}

export function runScenario(scenario: Scenario, options: SimOptions = {}): SimResult {
  const trace = options.trace;
  const rng = seededRng(scenario.seed ^ 0x5eed);
  const crypto: SimCrypto = options.realCrypto === true ? realCrypto(seededRng(scenario.seed ^ 0xc0de)) : fastCrypto();
  const clock = new SimClock();
  const network = new SimNetwork(clock, seededRng(scenario.seed ^ 0x0e7), scenario.link);
  const keys = Array.from({ length: scenario.peerCount }, () => {
    const secretKey = crypto.newSecretKey(rng);
    return { secretKey, publicKey: crypto.signatures.publicKey(secretKey) };
  });
  const stakesAt = (snapshot: number): ReadonlyMap<string, bigint> => {
    const row = scenario.stakes[Math.min(Math.floor(snapshot / scenario.standing.snapshotIntervalBlocks), scenario.stakes.length - 1)]!;
    return new Map(keys.map((key, index) => [bytesToHex(key.publicKey), row[index]!]));
  };
  const chainId = chooseChainId(scenario, keys, stakesAt, crypto);
  const config: SimChainConfig = { chainId, crypto, standing: scenario.standing, stakesAt };
  const byzantineKeys = new Set([...scenario.byzantine.keys()].map((index) => bytesToHex(keys[index]!.publicKey)));
  const checker = new Checker(scenario, byzantineKeys, crypto);
  const byzantineStats: ByzantineStats = { equivocations: 0, withheld: 0, delayed: 0, forgedBeacons: 0, grindWithheld: 0 };
  let restarts = 0;

  // Endpoints: one per honest peer; in a split brain, one per side for each Byzantine peer.
  const peers: SimPeer[] = [];
  for (let index = 0; index < scenario.peerCount; index++) {
    const chosen = new Set(scenario.byzantine.get(index) ?? []);
    const names = scenario.mode === 'accountability' && chosen.size > 0 ? [`p${index}a`, `p${index}b`] : [`p${index}`];
    for (const name of names) {
      const unguarded = chosen.has('equivocate') || chosen.has('grind') || chosen.has('split-brain');
      const app = new SimApp(config, seededRng(scenario.seed * 131 + peers.length));
      if (chosen.has('invalid-blocks')) app.poison = () => rng.unit() < 0.5;
      const guard = unguarded ? new NullGuardStore() : chosen.size > 0 ? new MemoryGuardStore() : recordingStore(new MemoryGuardStore(), (record) => checker.onSigned(name, record));
      peers.push({ index, name, ...keys[index]!, behaviors: chosen, app, rng: seededRng(scenario.seed * 977 + peers.length), guard, node: null });
    }
  }
  const endpoints = peers.map((peer) => peer.name);
  const twinLinks = new Map<number, TwinLink>();
  const twinLink = (index: number): TwinLink => {
    const link = twinLinks.get(index) ?? { relay: null, skipped: null, precommitted0: false, skippedPrecommit0: false };
    twinLinks.set(index, link);
    return link;
  };
  const isHonest = (peer: SimPeer): boolean => peer.behaviors.size === 0;

  const startPeer = (peer: SimPeer, resume = true): void => {
    const signerOptions = { secretKey: peer.secretKey, crypto, store: peer.guard, chainId };
    const signer = scenario.split !== null && peer.name.endsWith('b') ? new TwinSigner(signerOptions, scenario.split.fork, twinLink(peer.index)) : new GuardedSigner(signerOptions);
    const others = (): string[] => endpoints.filter((name) => name !== peer.name);
    const transport: ConsensusTransport = isHonest(peer)
      ? { broadcast: (bytes) => network.broadcast(peer.name, bytes, endpoints), send: (to, bytes) => network.send(peer.name, to, bytes) }
      : byzantineTransport({
          behaviors: peer.behaviors,
          self: peer.publicKey,
          signer,
          app: peer.app,
          crypto,
          chainId,
          rng: peer.rng,
          clock,
          coalition: byzantineKeys,
          send: (to, bytes, extraDelayMs) => network.send(peer.name, to, bytes, extraDelayMs),
          peers: others,
          stats: byzantineStats,
          ...(scenario.split === null ? {} : { twin: { side: peer.name.endsWith('a') ? ('a' as const) : ('b' as const), plan: scenario.split.fork, link: twinLink(peer.index) } }),
        });
    const node = new ConsensusNode({
      chainId,
      params: scenario.consensus,
      crypto,
      signer,
      app: peer.app,
      clock,
      transport,
      resume,
      observer: isHonest(peer)
        ? {
            commit: (record) => {
              trace?.(`${clock.nowMs()} ${peer.name} commit ${record.height} round ${record.certificate.round} ${bytesToHex(record.blockHash).slice(0, 12)}`);
              checker.onCommit(peer.name, record, peer.app);
            },
            evidence: (evidence) => {
              trace?.(`${clock.nowMs()} ${peer.name} evidence h${evidence.first.height} ${evidence.first.type} r${evidence.first.round} ${short(evidence.first.blockHash)} / ${evidence.second.type} r${evidence.second.round} pol ${evidence.second.polRound} ${short(evidence.second.blockHash)} against ${short(evidence.first.voter)}`);
              checker.onEvidence(peer.name, evidence);
            },
            fork: (report) => {
              trace?.(`${clock.nowMs()} ${peer.name} fork at ${report.height}, ${report.evidence.length} evidence`);
              checker.onFork(peer.name, report, peer.app);
            },
            ...(trace === undefined ? {} : { event: (event: ConsensusEvent, state: Readonly<ConsensusState>) => trace(`${clock.nowMs()} ${peer.name} [${describeState(state)}] ${describeEvent(event)}`) }),
            drop: (reason) => {
              trace?.(`${clock.nowMs()} ${peer.name} drop ${reason}`);
              checker.onDrop(reason);
            },
          }
        : {},
    });
    peer.node = node;
    network.attach(peer.name, (from, bytes) => node.receive(from, bytes));
    node.start();
  };
  const crash = (peer: SimPeer): void => {
    peer.node?.stop();
    peer.node = null;
    network.detach(peer.name);
  };

  for (const peer of peers) startPeer(peer);
  if (scenario.split !== null) {
    const side = (honest: readonly number[], suffix: string): string[] => [
      ...honest.map((index) => `p${index}`),
      ...[...scenario.byzantine.keys()].map((index) => `p${index}${suffix}`),
    ];
    network.partition([side(scenario.split.sideA, 'a'), side(scenario.split.sideB, 'b')]);
  }
  for (const fault of scenario.faults) {
    clock.setTimer(fault.atMs, () => {
      trace?.(`${clock.nowMs()} fault ${JSON.stringify(fault)}`);
      switch (fault.kind) {
        case 'partition':
          return network.partition(fault.groups.map((group) => group.flatMap((index) => peers.filter((peer) => peer.index === index).map((peer) => peer.name))));
        case 'heal':
          return network.heal();
        case 'crash':
          for (const peer of peers) if (peer.index === fault.peer && peer.node !== null) crash(peer);
          return;
        case 'restart':
          for (const peer of peers) {
            if (peer.index !== fault.peer || peer.node !== null) continue;
            // Amnesia: the peer comes back without its guard record, so without its locks.
            if (peer.behaviors.has('amnesia') && !(peer.guard instanceof NullGuardStore)) peer.guard = new MemoryGuardStore();
            restarts++;
            // Some honest restarts lose their place in the height (not the guard): the guard
            // alone must then keep them from signing twice.
            startPeer(peer, !fault.forgetful);
          }
          return;
      }
    });
  }
  const honestNames = peers.filter(isHonest).map((peer) => peer.name);
  clock.setTimer(scenario.stableAtMs, () => {
    // From here on the network is only lossy and jittery: the liveness bound is measured from now.
    network.setProfile({ ...scenario.link, spike: 0 });
    checker.markStable(clock.nowMs());
  });
  if (trace !== undefined) {
    const tick = (): void => {
      trace(`${clock.nowMs()} positions ${peers.map((peer) => `${peer.name}=${peer.node === null ? 'down' : `${peer.node.position.height}/${peer.node.position.round}/${peer.node.position.step}`}`).join(' ')}`);
      clock.setTimer(1000, tick);
    };
    clock.setTimer(1000, tick);
  }

  const deadlineMs = scenario.stableAtMs + scenario.livenessBoundMs;
  const eventsMax = options.eventsMax ?? 2_000_000;
  let events = 0;
  try {
    while (clock.runNext(deadlineMs)) {
      events++;
      if (checker.violations.length > 0 || checker.done(honestNames, clock.nowMs())) break;
      if (events >= eventsMax) {
        checker.violations.push(`simulation: more than ${eventsMax} events`);
        break;
      }
    }
    checker.finish(honestNames, clock.nowMs(), peers.filter(isHonest).map((peer) => peer.app));
  } catch (error) {
    // A thrown error is a broken invariant too (an assert in the code under test): report the seed.
    checker.violations.push(`crash at ${clock.nowMs()} ms: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  for (const peer of peers) peer.node?.stop();
  const stats: SimStats = {
    ...checker.stats,
    events,
    delivered: network.stats.delivered,
    restarts,
    virtualMs: clock.nowMs(),
    byzantine: byzantineStats,
  };
  return { seed: scenario.seed, ok: checker.violations.length === 0, scenario, violations: checker.violations, stats };
}

/**
 * The chain id: a hash of the seed. In a split brain it is re-drawn until the lottery's first
 * proposer is Byzantine, so side A finalizes in round 0 (and, in the same-round plan, side B
 * too: their certificates overlap in one round, the case evidence from two certificates
 * covers). A cross-round plan also needs the proposer of the first round in which side B may
 * finalize to reach side B (Byzantine or a side-B peer), or side B could wait past the heal.
 */
function chooseChainId(scenario: Scenario, keys: readonly { publicKey: Uint8Array }[], stakesAt: (snapshot: number) => ReadonlyMap<string, bigint>, crypto: SimCrypto): Uint8Array {
  for (let nonce = 0; ; nonce++) {
    const seedBytes = [(scenario.seed >>> 24) & 0xff, (scenario.seed >>> 16) & 0xff, (scenario.seed >>> 8) & 0xff, scenario.seed & 0xff];
    const chainId = taggedHash('parley/sim/chain', Uint8Array.of(...(nonce < 256 ? [nonce] : [nonce & 0xff, nonce >>> 8]), ...seedBytes));
    if (scenario.mode !== 'accountability' || scenario.split === null) return chainId;
    const stakes = stakesAt(0);
    const peerSet = makePeerSet(chainId, [...stakes].map(([hex, weight]) => ({ publicKey: keys.find((key) => bytesToHex(key.publicKey) === hex)!.publicKey, weight })), { validateKeys: crypto.curveKeys });
    const proposer = (round: number): number => keys.findIndex((key) => bytesToHex(key.publicKey) === bytesToHex(proposerOf(peerSet, genesisSeed(chainId), 1, round).publicKey));
    const { fork, sideA } = scenario.split;
    const finalRound = Math.max(fork.silentRounds, fork.withheldPrecommitRounds);
    if (scenario.byzantine.has(proposer(0)) && (fork.kind === 'same-round' || !sideA.includes(proposer(finalRound)))) return chainId;
    if (nonce > 4096) throw new Error('simulator: no chain id gives the split brain the proposers it needs');
  }
}

/** A guard store that reports every write (an honest peer's store outlives its crashes). */
function recordingStore(store: GuardStore, onWrite: (record: GuardRecord) => void): GuardStore {
  return {
    read: () => store.read(),
    write(record) {
      onWrite(record);
      store.write(record);
    },
  };
}

function short(bytes: Uint8Array | null): string {
  return bytes === null ? 'nil' : bytesToHex(bytes).slice(0, 8);
}

function describeState(state: Readonly<ConsensusState>): string {
  const lock = state.locked === null ? '-' : `${state.locked.round}:${short(state.locked.blockHash)}`;
  return `h${state.height} r${state.round} ${state.step} lock ${lock}`;
}

function describeEvent(event: ConsensusEvent): string {
  switch (event.kind) {
    case 'vote':
      return `${event.vote.type} r${event.vote.round} ${short(event.vote.blockHash)} from ${short(event.vote.voter)}`;
    case 'proposal':
      return `proposal r${event.entry.proposal.round} vr${event.entry.proposal.validRound} ${short(event.entry.blockHash)}${event.entry.valid ? '' : ' (invalid)'} from ${short(event.entry.proposal.proposer)}`;
    case 'timeout':
      return `timeout ${event.timeout.step} h${event.timeout.height} r${event.timeout.round}`;
    case 'decision':
      return `decision h${event.certificate.height} ${short(event.blockHash)}`;
    default:
      return event.kind;
  }
}
