import {
  channelClockGranularityMs,
  channelLossTimeThreshold,
  channelRtoInitialMs,
  channelRtoMaxMs,
  channelRtoMinMs,
} from '../constants.ts';

/**
 * Round-trip time and the retransmission timeout, RFC 6298 (SRTT, RTTVAR, RTO with
 * exponential backoff), with the ACK-delay correction of RFC 9002 §5.3 since our receiver
 * may hold an ACK for up to channelAckDelayMaxMs.
 */
export class RttEstimator {
  /** SRTT; undefined until the first sample. */
  smoothedMs: number | undefined;
  /** RTTVAR. */
  variationMs = 0;
  minimumMs = Infinity;
  latestMs = 0;
  /** Times the timer expired since the last acknowledged progress (RFC 6298 §5.5). */
  backoffCount = 0;
  #rtoMs = channelRtoInitialMs; // §2.1: 1 s before any sample

  sample(rttMs: number, ackDelayMs: number): void {
    const rtt = Math.max(rttMs, 0);
    this.latestMs = rtt;
    this.minimumMs = Math.min(this.minimumMs, rtt);
    // RFC 9002 §5.3: subtract the peer's ACK delay unless that would go below the minimum RTT.
    const adjusted = rtt - ackDelayMs >= this.minimumMs ? rtt - ackDelayMs : rtt;
    if (this.smoothedMs === undefined) {
      // §2.2
      this.smoothedMs = adjusted;
      this.variationMs = adjusted / 2;
    } else {
      // §2.3, with alpha = 1/8 and beta = 1/4
      this.variationMs = 0.75 * this.variationMs + 0.25 * Math.abs(this.smoothedMs - adjusted);
      this.smoothedMs = 0.875 * this.smoothedMs + 0.125 * adjusted;
    }
    // §2.4 (with the lower bound of constants.ts), §2.5 upper bound
    const rto = this.smoothedMs + Math.max(channelClockGranularityMs, 4 * this.variationMs);
    this.#rtoMs = Math.min(Math.max(rto, channelRtoMinMs), channelRtoMaxMs);
  }

  /** The current timeout, backoff included. */
  get retransmitTimeoutMs(): number {
    return Math.min(this.#rtoMs * 2 ** this.backoffCount, channelRtoMaxMs);
  }

  /** §5.5: the timer expired, double the timeout. */
  onTimeout(): void {
    if (this.#rtoMs * 2 ** this.backoffCount < channelRtoMaxMs) this.backoffCount++;
  }

  /** New data was acknowledged: the path works again, drop the backoff. */
  onProgress(): void {
    this.backoffCount = 0;
  }

  /** RFC 9002 §6.1.2: how long after a later datagram was acknowledged an earlier one counts as lost. */
  get lossDelayMs(): number {
    const base = Math.max(this.smoothedMs ?? channelRtoInitialMs / 3, this.latestMs);
    return Math.max(channelLossTimeThreshold * base, channelClockGranularityMs);
  }

  /** The RTT pacing assumes: SRTT, or RFC 9002's 333 ms before the first sample. */
  get pacingRttMs(): number {
    return this.smoothedMs ?? channelRtoInitialMs / 3;
  }
}
