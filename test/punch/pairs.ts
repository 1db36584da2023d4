import type { ClientRoute } from '../../rendezvous/index.ts';
import type { SimHostSpec } from './nat-sim.ts';
import { agentName, SimWorld, type SimWallet } from './sim-world.ts';

/** One caller/callee pair through the whole rendezvous: login, classify, introduce, punch, exchange data. */
export interface PairResult {
  readonly seed: number;
  readonly caller: SimHostSpec;
  readonly callee: SimHostSpec;
  readonly callerRoute: ClientRoute['kind'] | 'none';
  readonly calleeRoute: ClientRoute['kind'] | 'none';
  /** From the connect request to the caller's first route. */
  readonly connectMs: number;
  readonly dataDelivered: boolean;
  readonly world: SimWorld;
  readonly alice: SimWallet;
  readonly bob: SimWallet;
}

export function specName(spec: SimHostSpec): string {
  return `${spec.nat}${spec.firewall ? '+fw' : ''}`;
}

export function runPair(caller: SimHostSpec, callee: SimHostSpec, seed: number, network: { delayMs?: number; jitterMs?: number; lossRate?: number } = {}): PairResult {
  const world = new SimWorld(seed, network);
  const alice = world.wallet('alice', world.router(1, caller));
  const bob = world.wallet('bob', world.router(2, callee));
  // Wallet↔agent messages ride a reliable session in the real system; the sim sends them as
  // plain datagrams, so with loss on, only the wallet↔wallet paths are lossy.
  if ((network.lossRate ?? 0) > 0) {
    for (const wallet of ['198.18.1.2', '198.18.2.2']) for (const agent of ['198.18.0.2', '198.18.0.3']) world.internet.network.setLinkBothWays(wallet, agent, { lossRate: 0 });
  }
  alice.start();
  bob.start();
  // Connect once the agent holds both classified profiles (a login re-sent after classification).
  const known = (name: string): boolean => (world.agent.state.presence.byName.get(name)?.profile.mapping ?? 'unknown') !== 'unknown';
  world.runUntil(() => known('alice') && known('bob'), 5_000);
  const connectAtMs = world.clock.nowMs();
  alice.connect(`bob@${agentName}`);
  world.runUntil(() => alice.routeTo(bob) !== undefined && bob.routeTo(alice) !== undefined, 15_000);
  const firstRoute = alice.routes[0];
  const connectMs = firstRoute === undefined ? Infinity : firstRoute.atMs - connectAtMs;
  // Let the nominated probes settle both sides on one path (the session would retransmit), then talk.
  world.runUntil(() => false, 500);
  for (let copy = 0; copy < 3; copy++) {
    alice.sendData(bob, 'hello bob');
    bob.sendData(alice, 'hello alice');
    world.runUntil(() => false, 50);
  }
  world.runUntil(() => false, 500);
  const dataDelivered = alice.received.some((item) => item.text === 'hello alice') && bob.received.some((item) => item.text === 'hello bob');
  return {
    seed,
    caller,
    callee,
    callerRoute: alice.routeTo(bob)?.kind ?? 'none',
    calleeRoute: bob.routeTo(alice)?.kind ?? 'none',
    connectMs,
    dataDelivered,
    world,
    alice,
    bob,
  };
}

export const allSpecs: readonly SimHostSpec[] = (['open', 'full-cone', 'port-restricted', 'symmetric'] as const).flatMap((nat) => [
  { nat, firewall: false },
  { nat, firewall: true },
]);
