import {
  channelCongestionWindowBytesMax,
  channelInitialWindowDatagrams,
  channelMinimumWindowDatagrams,
  channelPacingBurstDatagrams,
  channelPacingGain,
} from '../constants.ts';

/**
 * NewReno congestion control in bytes, as RFC 9002 §7 states it (slow start, congestion
 * avoidance, one window reduction per recovery period), plus the RFC 5681 §3.1 response to
 * a retransmission timeout (back to the minimum window). Recovery periods are measured in
 * datagram numbers: a loss only reduces the window if its datagram left after the last
 * reduction began.
 */
export class NewReno {
  readonly datagramBytes: number;
  windowBytes: number;
  slowStartThresholdBytes = Infinity;
  /** Datagrams numbered below this were sent before the current recovery period began. */
  recoveryStartPacket = -1;
  congestionEvents = 0;
  readonly #minimumBytes: number;

  constructor(datagramBytes: number) {
    this.datagramBytes = datagramBytes;
    this.windowBytes = channelInitialWindowDatagrams * datagramBytes;
    this.#minimumBytes = channelMinimumWindowDatagrams * datagramBytes;
  }

  get inSlowStart(): boolean {
    return this.windowBytes < this.slowStartThresholdBytes;
  }

  /**
   * Bytes of a datagram numbered `packet` were acknowledged. `flightBytes` is what was in flight
   * before this ACK: below half the window the sender is application-limited and the window does
   * not grow (RFC 9002 §7.8), which also keeps an idle channel's window meaningful.
   */
  onAcked(bytes: number, packet: number, flightBytes: number): void {
    if (packet < this.recoveryStartPacket) return; // §7.3.2: no growth in recovery
    if (flightBytes * 2 < this.windowBytes) return;
    if (this.inSlowStart) this.windowBytes += bytes;
    else this.windowBytes += (this.datagramBytes * bytes) / this.windowBytes;
    this.windowBytes = Math.min(this.windowBytes, channelCongestionWindowBytesMax);
  }

  /** A datagram numbered `packet` was declared lost; `nextPacket` is the next number to be sent. */
  onLost(packet: number, nextPacket: number): void {
    if (packet < this.recoveryStartPacket) return; // one reduction per recovery period (§7.3.2)
    this.recoveryStartPacket = nextPacket;
    this.slowStartThresholdBytes = Math.max(this.windowBytes / 2, this.#minimumBytes); // kLossReductionFactor = 0.5
    this.windowBytes = this.slowStartThresholdBytes;
    this.congestionEvents++;
  }

  /** RFC 5681 §3.1 (4): ssthresh = max(FlightSize / 2, 2 SMSS); the window restarts from the minimum. */
  onRetransmitTimeout(flightBytes: number, nextPacket: number): void {
    this.slowStartThresholdBytes = Math.max(flightBytes / 2, this.#minimumBytes);
    this.windowBytes = this.#minimumBytes;
    this.recoveryStartPacket = nextPacket;
    this.congestionEvents++;
  }
}

/**
 * A token-bucket pacer (RFC 9002 §7.7): tokens (bytes) refill at gain × cwnd / SRTT and
 * hold at most a burst of datagrams, so a full window leaves spread over an RTT instead of
 * in one burst that a loopback receiver would half drop.
 */
export class Pacer {
  readonly #burstBytes: number;
  #tokens: number;
  #lastMs: number | undefined;

  constructor(datagramBytes: number) {
    this.#burstBytes = channelPacingBurstDatagrams * datagramBytes;
    this.#tokens = this.#burstBytes;
  }

  static rateBytesPerMs(windowBytes: number, rttMs: number): number {
    return (channelPacingGain * windowBytes) / Math.max(rttMs, 0.001);
  }

  refill(nowMs: number, rateBytesPerMs: number): void {
    if (this.#lastMs !== undefined && nowMs > this.#lastMs) {
      this.#tokens = Math.min(this.#burstBytes, this.#tokens + (nowMs - this.#lastMs) * rateBytesPerMs);
    }
    this.#lastMs = nowMs;
  }

  /** A datagram may leave while the bucket is not in debt. */
  get ready(): boolean {
    return this.#tokens >= 0;
  }

  onSend(bytes: number): void {
    this.#tokens -= bytes;
  }

  /** When the bucket is out of debt again; never `nowMs` itself, so a wake-up always makes progress. */
  nextReadyMs(nowMs: number, rateBytesPerMs: number): number {
    return nowMs + Math.max(-this.#tokens / rateBytesPerMs, 0.001);
  }
}
