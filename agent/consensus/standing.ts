import { hexToBytes } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { isQuorum, keyHex, makePeerSet } from './peer-set.ts';
import type { Certificate, Peer, PeerSet } from './types.ts';

/**
 * Proof of share: who votes at a height, and with what weight. Weight is the stake hosted with a
 * peer in the state after the snapshot block (so a stake move counts only from the next
 * snapshot on, and nobody can buy weight for the very next block). A peer is in good standing
 * when it hosts at least the minimum stake, has never been convicted by evidence, and is not
 * jailed for missing votes. The ledger keeps a StandingState and calls these pure functions as
 * it applies blocks; every peer derives the same peer set from the same chain.
 */

export type StandingParams = {
  /** snapshotHeight(h) = ⌊(h − delay)/interval⌋·interval, 0 while h < delay (DESIGN: 1000 and 4096). */
  readonly snapshotDelayBlocks: number;
  readonly snapshotIntervalBlocks: number;
  readonly minimumStake: bigint;
  /** Responsiveness: of its last `missedWindowHeights` heights in the set, a peer that missed more than `missedMax` is jailed. */
  readonly missedWindowHeights: number;
  readonly missedMax: number;
  /** A jailed peer votes again this many heights after the jailing. */
  readonly jailHeights: number;
};

export const defaultStandingParams: StandingParams = Object.freeze({
  snapshotDelayBlocks: 1000,
  snapshotIntervalBlocks: 4096,
  minimumStake: 1_000_000n,
  missedWindowHeights: 1000,
  missedMax: 500,
  jailHeights: 10_000,
});

export const devnetStandingParams: StandingParams = Object.freeze({
  snapshotDelayBlocks: 2,
  snapshotIntervalBlocks: 8,
  minimumStake: 1n,
  missedWindowHeights: 20,
  missedMax: 10,
  jailHeights: 20,
});

export function checkStandingParams(params: StandingParams): StandingParams {
  const fail = (message: string): never => {
    throw new AgentError('CONSENSUS_BAD_PARAMETERS', `standing parameters: ${message}`);
  };
  if (!Number.isSafeInteger(params.snapshotDelayBlocks) || params.snapshotDelayBlocks < 0) fail('snapshotDelayBlocks must be ≥ 0');
  if (!Number.isSafeInteger(params.snapshotIntervalBlocks) || params.snapshotIntervalBlocks < 1) fail('snapshotIntervalBlocks must be ≥ 1');
  if (typeof params.minimumStake !== 'bigint' || params.minimumStake < 1n) fail('minimumStake must be ≥ 1');
  if (!Number.isSafeInteger(params.missedWindowHeights) || params.missedWindowHeights < 1) fail('missedWindowHeights must be ≥ 1');
  if (!Number.isSafeInteger(params.missedMax) || params.missedMax < 0 || params.missedMax >= params.missedWindowHeights) fail('missedMax must be in 0..missedWindowHeights − 1');
  if (!Number.isSafeInteger(params.jailHeights) || params.jailHeights < 1) fail('jailHeights must be ≥ 1');
  return params;
}

/** The height whose post-block stake gives the weights at `height` (the ledger's stakeSnapshotHeight). */
export function snapshotHeight(params: Pick<StandingParams, 'snapshotDelayBlocks' | 'snapshotIntervalBlocks'>, height: number): number {
  if (height < params.snapshotDelayBlocks) return 0;
  return Math.floor((height - params.snapshotDelayBlocks) / params.snapshotIntervalBlocks) * params.snapshotIntervalBlocks;
}

export type StandingState = {
  /** Convicted by evidence: key hex → height the evidence was recorded at. Permanent. */
  readonly banned: ReadonlyMap<string, number>;
  /** Jailed for missed votes: key hex → first height it may vote again. */
  readonly jailedUntil: ReadonlyMap<string, number>;
  /** Key hex → its participation at its most recent heights in the set (true = signed), oldest first. */
  readonly recent: ReadonlyMap<string, readonly boolean[]>;
};

export const emptyStanding: StandingState = Object.freeze({ banned: new Map(), jailedUntil: new Map(), recent: new Map() });

/** Records a conviction (the ledger applies a block holding verified evidence against `offender`). */
export function recordEvidence(state: StandingState, offender: Uint8Array, height: number): StandingState {
  const hex = keyHex(offender);
  if (state.banned.has(hex)) return state;
  return { ...state, banned: new Map(state.banned).set(hex, height) };
}

/**
 * Records who signed the canonical certificate of `certificate.height` (the one the next block
 * carries). Peers that missed more than `missedMax` of their window are jailed, most-missing
 * first, but only while the peers that stay hold more than 2/3 of the set's weight: accounting
 * must never take the chain below a quorum of live peers.
 */
export function recordCertificate(state: StandingState, params: StandingParams, peerSet: PeerSet, certificate: Certificate): StandingState {
  const signed = new Set(certificate.signers);
  const recent = new Map(state.recent);
  const offenders: { hex: string; missed: number; weight: bigint }[] = [];
  peerSet.peers.forEach((peer, index) => {
    const hex = keyHex(peer.publicKey);
    const bits = [...(recent.get(hex) ?? []), signed.has(index)].slice(-params.missedWindowHeights);
    recent.set(hex, bits);
    const missed = bits.filter((bit) => !bit).length;
    if (missed > params.missedMax) offenders.push({ hex, missed, weight: peer.weight });
  });
  if (offenders.length === 0) return { ...state, recent };
  const jailedUntil = new Map(state.jailedUntil);
  // Peers of this set already jailed for the next height count as leaving too.
  let staying = peerSet.totalWeight;
  for (const peer of peerSet.peers) if ((jailedUntil.get(keyHex(peer.publicKey)) ?? 0) > certificate.height + 1) staying -= peer.weight;
  offenders.sort((a, b) => b.missed - a.missed || (a.hex < b.hex ? -1 : 1));
  for (const offender of offenders) {
    if ((jailedUntil.get(offender.hex) ?? 0) > certificate.height + 1) continue;
    if (!isQuorum(staying - offender.weight, peerSet.totalWeight)) continue;
    staying -= offender.weight;
    jailedUntil.set(offender.hex, certificate.height + 1 + params.jailHeights);
    recent.delete(offender.hex);
  }
  return { ...state, recent, jailedUntil };
}

/**
 * The peers in good standing at `height`, given the stake hosted with each at
 * snapshotHeight(height). Jails are applied only while the peers that stay hold more than 2/3
 * of the eligible stake (a new snapshot can move stake onto jailed peers; the chain must not
 * halt for it): the latest-ending jails first, the rest wait.
 */
export function eligiblePeers(stakes: ReadonlyMap<string, bigint>, standing: StandingState, params: StandingParams, height: number): Peer[] {
  const eligible = [...stakes].filter(([hex, stake]) => stake >= params.minimumStake && !standing.banned.has(hex));
  const total = eligible.reduce((sum, [, stake]) => sum + stake, 0n);
  const jailed = eligible
    .filter(([hex]) => (standing.jailedUntil.get(hex) ?? 0) > height)
    .sort(([a], [b]) => standing.jailedUntil.get(b)! - standing.jailedUntil.get(a)! || (a < b ? -1 : 1));
  const out = new Set<string>();
  let staying = total;
  for (const [hex, stake] of jailed) {
    if (!isQuorum(staying - stake, total)) continue;
    staying -= stake;
    out.add(hex);
  }
  return eligible.filter(([hex]) => !out.has(hex)).map(([hex, stake]) => ({ publicKey: hexToBytes(hex), weight: stake }));
}

/** The peer set of `height`; CONSENSUS_BAD_PEER_SET when nobody is in good standing. */
export function peerSetFor(
  chainId: Uint8Array,
  stakes: ReadonlyMap<string, bigint>,
  standing: StandingState,
  params: StandingParams,
  height: number,
  options: { validateKeys?: boolean } = {},
): PeerSet {
  return makePeerSet(chainId, eligiblePeers(stakes, standing, params, height), options);
}
