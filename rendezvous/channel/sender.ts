import { channelLossPacketThreshold, channelMessageOverheadBytes, channelProbeIntervalMaxMs } from '../constants.ts';
import type { ChannelConfig } from './config.ts';
import { NewReno, Pacer } from './congestion.ts';
import { Deque } from './deque.ts';
import type { AckFrame } from './frames.ts';
import { dataFrameSize } from './frames.ts';
import { RttEstimator } from './rtt.ts';

/**
 * The sending half: the message queue, fragments in flight, what the ACKs say, loss
 * detection, the retransmission timer, the window probe. It owns no clock: every method
 * takes `nowMs`, and the channel asks it when it next needs to be woken.
 *
 * Each fragment has a sequence number (what ACKs name); each datagram leaving gets a
 * datagram number that never repeats and never goes on the wire (RFC 9002's packet number,
 * kept locally). Loss is judged on datagram numbers (RFC 9002 §6.1: three later datagrams
 * acknowledged, or 9/8 RTT after a later one was), so a lost retransmission is found like
 * any other loss. RTT samples skip retransmitted fragments (Karn, RFC 6298 §3).
 */
const IN_FLIGHT = 0;
const ACKED = 1;
const LOST = 2;

export interface SentFragment {
  readonly seq: number;
  /** A view into the message; the sender keeps the message until every fragment is acknowledged. */
  readonly payload: Uint8Array;
  /** Set on the first fragment of a message. */
  readonly messageLength: number | undefined;
  readonly last: boolean;
  /** The DATA frame's size, the unit of bytes in flight. */
  readonly frameBytes: number;
  state: typeof IN_FLIGHT | typeof ACKED | typeof LOST;
  /** Datagram number and time of the latest transmission. */
  packet: number;
  sentMs: number;
  transmissions: number;
}

interface Transmission {
  fragment: SentFragment;
  packet: number;
  sentMs: number;
}

export interface SenderStats {
  fragmentsSent: number;
  retransmissions: number;
  lossesDeclared: number;
  spuriousLosses: number;
  timeouts: number;
  probes: number;
}

export class Sender {
  readonly rtt = new RttEstimator();
  readonly congestion: NewReno;
  readonly pacer: Pacer;
  readonly stats: SenderStats = { fragmentsSent: 0, retransmissions: 0, lossesDeclared: 0, spuriousLosses: 0, timeouts: 0, probes: 0 };
  /** Bytes charged for accepted messages not yet fully acknowledged (length + overhead each). */
  queuedBytes = 0;
  /** Lowest seq not cumulatively acknowledged; fragments from here to nextSeq are kept. */
  baseSeq = 0;
  nextSeq = 0;
  /** The peer accepts fragments below this (from its ACKs; until the first, our own window). */
  peerWindowLimit: number;
  bytesInFlight = 0;
  largestAckedPacket = -1;
  nextPacket = 0;
  rtoDeadlineMs: number | undefined;
  lossTimeMs: number | undefined;
  probeDeadlineMs: number | undefined;
  /** A send() was refused since the queue last drained to half: the channel owes a 'writable'. */
  refusedSinceDrain = false;
  readonly #config: ChannelConfig;
  readonly #messages = new Deque<{ bytes: Uint8Array; offset: number }>();
  readonly #fragments = new Deque<SentFragment>();
  readonly #transmissions = new Deque<Transmission>();
  #retransmit: number[] = [];
  #retransmitSorted = true;
  #probeIntervalMs: number | undefined;

  constructor(config: ChannelConfig) {
    this.#config = config;
    this.peerWindowLimit = config.receiveWindowFragments;
    this.congestion = new NewReno(config.datagramPayloadBytes);
    this.pacer = new Pacer(config.datagramPayloadBytes);
  }

  /** Accepts a message, or says why not (the caller has checked its length). */
  enqueue(message: Uint8Array): boolean {
    const charge = message.length + channelMessageOverheadBytes;
    if (this.queuedBytes + charge > this.#config.sendQueueBytesMax) {
      this.refusedSinceDrain = true;
      return false;
    }
    this.queuedBytes += charge;
    this.#messages.push({ bytes: message, offset: 0 });
    return true;
  }

  get queuedMessages(): number {
    return this.#messages.length;
  }

  /** Whether anything is waiting to be (re)transmitted that flow control allows now. */
  get hasSendable(): boolean {
    return this.#hasRetransmission() || (this.#messages.length > 0 && this.nextSeq < this.peerWindowLimit);
  }

  /** New data waits only for the peer's receive window. */
  get windowBlocked(): boolean {
    return this.#messages.length > 0 && this.nextSeq >= this.peerWindowLimit;
  }

  /** Frame size of the fragment `takeNext` would return, or undefined when none may go. */
  peekFrameBytes(): number | undefined {
    if (this.#hasRetransmission()) return this.#fragments.at(this.#retransmit[0]! - this.baseSeq)!.frameBytes;
    const message = this.#messages.peek();
    if (message === undefined || this.nextSeq >= this.peerWindowLimit) return undefined;
    const length = Math.min(message.bytes.length - message.offset, this.#config.fragmentPayloadBytes);
    return dataFrameSize(this.nextSeq, message.offset === 0 ? message.bytes.length : undefined, length);
  }

  /** Takes the next fragment to transmit in datagram `packet`; call only after peekFrameBytes. */
  takeNext(packet: number, nowMs: number): SentFragment {
    let fragment: SentFragment;
    if (this.#hasRetransmission()) {
      fragment = this.#fragments.at(this.#retransmit.shift()! - this.baseSeq)!;
      fragment.transmissions++;
      this.stats.retransmissions++;
    } else {
      fragment = this.#cutFragment();
    }
    fragment.state = IN_FLIGHT;
    fragment.packet = packet;
    fragment.sentMs = nowMs;
    this.bytesInFlight += fragment.frameBytes;
    this.#transmissions.push({ fragment, packet, sentMs: nowMs });
    this.stats.fragmentsSent++;
    // RFC 6298 §5.1: start the timer when data leaves and it is not running.
    this.rtoDeadlineMs ??= nowMs + this.rtt.retransmitTimeoutMs;
    return fragment;
  }

  /** Applies an ACK; returns a reason when the ACK is impossible (it is then ignored). */
  onAck(frame: AckFrame, nowMs: number, ackDelayMaxMs: number): string | undefined {
    const highest = frame.ranges.length > 0 ? frame.ranges[frame.ranges.length - 1]!.end : frame.cumulative;
    if (highest > this.nextSeq) return `acknowledges up to seq ${highest} but only ${this.nextSeq} were sent`;
    this.peerWindowLimit = Math.max(this.peerWindowLimit, frame.windowLimit);
    const flightBefore = this.bytesInFlight;
    let newest: SentFragment | undefined;
    const acknowledge = (fragment: SentFragment): void => {
      if (fragment.state === ACKED) return;
      if (fragment.state === IN_FLIGHT) {
        this.bytesInFlight -= fragment.frameBytes;
        this.congestion.onAcked(fragment.frameBytes, fragment.packet, flightBefore);
      } else {
        this.stats.spuriousLosses++;
      }
      fragment.state = ACKED;
      this.queuedBytes -= fragment.payload.length + (fragment.last ? channelMessageOverheadBytes : 0);
      if (fragment.packet > this.largestAckedPacket) this.largestAckedPacket = fragment.packet;
      if (newest === undefined || fragment.packet > newest.packet) newest = fragment;
    };
    while (this.baseSeq < frame.cumulative) {
      acknowledge(this.#fragments.shift()!);
      this.baseSeq++;
    }
    for (const range of frame.ranges) {
      for (let seq = Math.max(range.start, this.baseSeq); seq < range.end; seq++) acknowledge(this.#fragments.at(seq - this.baseSeq)!);
    }
    if (newest === undefined) return undefined;
    if (newest.packet === this.largestAckedPacket && newest.transmissions === 1) {
      this.rtt.sample(nowMs - newest.sentMs, Math.min(frame.ackDelayMicros / 1000, ackDelayMaxMs));
    }
    this.rtt.onProgress();
    // RFC 6298 §5.2–5.3: stop the timer when nothing is outstanding, else restart it.
    this.rtoDeadlineMs = this.bytesInFlight > 0 ? nowMs + this.rtt.retransmitTimeoutMs : undefined;
    this.#detectLosses(nowMs);
    return undefined;
  }

  /** Runs whatever timer is due: the loss-time check, the retransmission timeout. */
  onTimer(nowMs: number): void {
    if (this.lossTimeMs !== undefined && nowMs >= this.lossTimeMs) this.#detectLosses(nowMs);
    if (this.rtoDeadlineMs !== undefined && nowMs >= this.rtoDeadlineMs) this.#onRetransmitTimeout();
  }

  /** Arms or disarms the window probe (TCP's persist timer): data waits, only the window stops it. */
  updateProbe(nowMs: number): void {
    if (this.windowBlocked && this.bytesInFlight === 0 && !this.#hasRetransmission()) {
      this.#probeIntervalMs ??= this.rtt.retransmitTimeoutMs;
      this.probeDeadlineMs ??= nowMs + this.#probeIntervalMs;
    } else {
      this.probeDeadlineMs = undefined;
      this.#probeIntervalMs = undefined;
    }
  }

  /** A PING left as the window probe: back off the next one. */
  onProbeSent(nowMs: number): void {
    this.stats.probes++;
    this.#probeIntervalMs = Math.min(2 * (this.#probeIntervalMs ?? this.rtt.retransmitTimeoutMs), channelProbeIntervalMaxMs);
    this.probeDeadlineMs = nowMs + this.#probeIntervalMs;
  }

  /** Drops every queued message and fragment (on close or failure). */
  clear(): void {
    this.#messages.clear();
    this.#fragments.clear();
    this.#transmissions.clear();
    this.#retransmit = [];
    this.queuedBytes = 0;
    this.bytesInFlight = 0;
    this.rtoDeadlineMs = undefined;
    this.lossTimeMs = undefined;
    this.probeDeadlineMs = undefined;
  }

  #cutFragment(): SentFragment {
    const message = this.#messages.peek()!;
    const length = Math.min(message.bytes.length - message.offset, this.#config.fragmentPayloadBytes);
    const messageLength = message.offset === 0 ? message.bytes.length : undefined;
    const payload = message.bytes.subarray(message.offset, message.offset + length);
    message.offset += length;
    const last = message.offset === message.bytes.length;
    if (last) this.#messages.shift();
    const fragment: SentFragment = {
      seq: this.nextSeq,
      payload,
      messageLength,
      last,
      frameBytes: dataFrameSize(this.nextSeq, messageLength, length),
      state: IN_FLIGHT,
      packet: -1,
      sentMs: 0,
      transmissions: 1,
    };
    this.nextSeq++;
    this.#fragments.push(fragment);
    return fragment;
  }

  #hasRetransmission(): boolean {
    const queue = this.#retransmit;
    if (queue.length === 0) return false;
    if (!this.#retransmitSorted) {
      queue.sort((a, b) => a - b);
      this.#retransmitSorted = true;
    }
    // Drop entries acknowledged after they were declared lost.
    while (queue.length > 0 && (queue[0]! < this.baseSeq || this.#fragments.at(queue[0]! - this.baseSeq)!.state !== LOST)) queue.shift();
    return queue.length > 0;
  }

  /** RFC 9002 §6.1 over the transmissions, oldest first; sets lossTimeMs for the next check. */
  #detectLosses(nowMs: number): void {
    this.lossTimeMs = undefined;
    const lossDelayMs = this.rtt.lossDelayMs;
    for (;;) {
      const transmission = this.#transmissions.peek();
      if (transmission === undefined) return;
      const fragment = transmission.fragment;
      if (fragment.state !== IN_FLIGHT || fragment.packet !== transmission.packet) {
        this.#transmissions.shift(); // acknowledged or sent again since
        continue;
      }
      if (transmission.packet >= this.largestAckedPacket) return;
      const lossTimeMs = transmission.sentMs + lossDelayMs; // one expression for the check and the timer
      if (this.largestAckedPacket - transmission.packet >= channelLossPacketThreshold || nowMs >= lossTimeMs) {
        this.#transmissions.shift();
        this.#declareLost(fragment);
        this.congestion.onLost(transmission.packet, this.nextPacket);
        continue;
      }
      this.lossTimeMs = lossTimeMs;
      return;
    }
  }

  /** RFC 6298 §5.4–5.6 with RFC 5681 §3.1: everything outstanding counts as lost, the window collapses. */
  #onRetransmitTimeout(): void {
    this.rtoDeadlineMs = undefined; // re-armed when the retransmission leaves
    this.lossTimeMs = undefined;
    if (this.bytesInFlight === 0) return;
    const flightBytes = this.bytesInFlight;
    for (const transmission of this.#transmissions) {
      const fragment = transmission.fragment;
      if (fragment.state === IN_FLIGHT && fragment.packet === transmission.packet) this.#declareLost(fragment);
    }
    this.#transmissions.clear();
    this.congestion.onRetransmitTimeout(flightBytes, this.nextPacket);
    this.rtt.onTimeout();
    this.stats.timeouts++;
  }

  #declareLost(fragment: SentFragment): void {
    fragment.state = LOST;
    this.bytesInFlight -= fragment.frameBytes;
    const queue = this.#retransmit;
    if (queue.length > 0 && queue[queue.length - 1]! > fragment.seq) this.#retransmitSorted = false;
    queue.push(fragment.seq);
    this.stats.lossesDeclared++;
  }
}
