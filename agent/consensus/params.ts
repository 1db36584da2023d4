import { AgentError } from '../errors.ts';

/**
 * Chain parameters of consensus timing. Timeouts grow linearly per round, as in the Tendermint
 * paper (§4, "timeoutX(r) = initTimeoutX + r·timeoutDelta"), so after the network stabilises
 * some round is long enough for every honest message to arrive; they stop growing at
 * `timeoutMaxMs` so a long partition does not leave minutes-long rounds behind it
 * (docs/DECISIONS.md "Consensus: timeouts").
 */
export type ConsensusParams = {
  /** A height starts this long after the previous one started (or at once when consensus took longer). */
  readonly blockIntervalMs: number;
  readonly proposeTimeoutMs: number;
  readonly proposeTimeoutDeltaMs: number;
  readonly prevoteTimeoutMs: number;
  readonly prevoteTimeoutDeltaMs: number;
  readonly precommitTimeoutMs: number;
  readonly precommitTimeoutDeltaMs: number;
  readonly timeoutMaxMs: number;
  /** How often a peer re-sends its current round's messages when it has made no progress. */
  readonly gossipIntervalMs: number;
};

export const defaultConsensusParams: ConsensusParams = Object.freeze({
  blockIntervalMs: 1000,
  proposeTimeoutMs: 1000,
  proposeTimeoutDeltaMs: 500,
  prevoteTimeoutMs: 500,
  prevoteTimeoutDeltaMs: 250,
  precommitTimeoutMs: 500,
  precommitTimeoutDeltaMs: 250,
  timeoutMaxMs: 10_000,
  gossipIntervalMs: 250,
});

/** Loopback devnets and the simulator: small timeouts, a block every 200 ms. */
export const devnetConsensusParams: ConsensusParams = Object.freeze({
  blockIntervalMs: 200,
  proposeTimeoutMs: 300,
  proposeTimeoutDeltaMs: 150,
  prevoteTimeoutMs: 150,
  prevoteTimeoutDeltaMs: 75,
  precommitTimeoutMs: 150,
  precommitTimeoutDeltaMs: 75,
  timeoutMaxMs: 2_000,
  gossipIntervalMs: 100,
});

export type TimeoutStep = 'propose' | 'prevote' | 'precommit';

export function timeoutMs(params: ConsensusParams, step: TimeoutStep, round: number): number {
  const [base, delta] =
    step === 'propose'
      ? [params.proposeTimeoutMs, params.proposeTimeoutDeltaMs]
      : step === 'prevote'
        ? [params.prevoteTimeoutMs, params.prevoteTimeoutDeltaMs]
        : [params.precommitTimeoutMs, params.precommitTimeoutDeltaMs];
  return Math.min(base + round * delta, params.timeoutMaxMs);
}

/** Throws CONSENSUS_BAD_PARAMETERS naming the first field out of range. */
export function checkConsensusParams(params: ConsensusParams): ConsensusParams {
  const fail = (message: string): never => {
    throw new AgentError('CONSENSUS_BAD_PARAMETERS', `consensus parameters: ${message}`);
  };
  for (const [field, value] of Object.entries(params)) {
    if (!Number.isInteger(value) || value < 0 || value > 3_600_000) fail(`${field} must be an integer number of ms in 0..3600000`);
  }
  if (params.proposeTimeoutMs <= 0 || params.prevoteTimeoutMs <= 0 || params.precommitTimeoutMs <= 0) fail('base timeouts must be positive');
  if (params.timeoutMaxMs < Math.max(params.proposeTimeoutMs, params.prevoteTimeoutMs, params.precommitTimeoutMs)) fail('timeoutMaxMs is below a base timeout');
  if (params.gossipIntervalMs <= 0) fail('gossipIntervalMs must be positive');
  return params;
}
