import { punchBirthdayDeadlineMs, punchDirectDeadlineMs, punchLanOnlyDeadlineMs, punchOpenerTtlBehindNat, punchOpenerTtlOpen, punchStartDelayMaxMs } from '../constants.ts';
import type { NatProfile } from './types.ts';

/**
 * Which punch to run, from both profiles (docs/DECISIONS.md "Rendezvous and hole punching"):
 *
 *   direct          both mappings predictable (no NAT, endpoint-independent or unknown), or
 *                   either side filters endpoint-independently (the other can reach its
 *                   observed address, and the answer goes back to the observed source);
 *   birthday-many   I am endpoint-dependent, the peer predictable but filtering: I open
 *                   punchBirthdaySockets sockets, each sending openers to the peer;
 *   birthday-spray  the mirror: I spray probes at random ports of the peer's NAT address;
 *   relay           both endpoint-dependent and neither reachable: no port can be guessed
 *                   on either side, so relay at once (private addresses are still tried).
 */
export type PunchStrategy = 'direct' | 'birthday-many' | 'birthday-spray' | 'relay';

export function isPredictable(profile: NatProfile): boolean {
  return profile.mapping !== 'endpoint-dependent';
}

export function isReachable(profile: NatProfile): boolean {
  return profile.filtering === 'endpoint-independent';
}

export function chooseStrategy(mine: NatProfile, peer: NatProfile): PunchStrategy {
  if (isPredictable(mine) && isPredictable(peer)) return 'direct';
  if (isReachable(mine) || isReachable(peer)) return 'direct';
  if (isPredictable(peer)) return 'birthday-many';
  if (isPredictable(mine)) return 'birthday-spray';
  return 'relay';
}

/**
 * DCUtR-style start alignment. The agent sends the offer to both sides at the same moment;
 * it reaches each side after half that side's RTT to the agent. Each side waits out the
 * difference, so both send their openers at about (agent send time + max(RTT)/2).
 */
export function startDelayMs(myRttToAgentMs: number, peerRttToAgentMs: number): number {
  const delay = (Math.max(myRttToAgentMs, peerRttToAgentMs) - myRttToAgentMs) / 2;
  return Math.min(punchStartDelayMaxMs, Math.max(0, Math.round(delay)));
}

/** Opening packets cross our own NAT (if any) and die at the next router. */
export function openerTtl(mine: NatProfile): number {
  return mine.mapping === 'none' ? punchOpenerTtlOpen : punchOpenerTtlBehindNat;
}

export function deadlineMs(strategy: PunchStrategy): number {
  switch (strategy) {
    case 'direct':
      return punchDirectDeadlineMs;
    case 'birthday-many':
    case 'birthday-spray':
      return punchBirthdayDeadlineMs;
    case 'relay':
      return punchLanOnlyDeadlineMs;
  }
}
