import type { ChannelErrorCode } from '../errors.ts';
import type { ChannelConfig } from './config.ts';
import { Deque } from './deque.ts';
import type { AckFrame, DataFrame } from './frames.ts';
import { RangeSet } from './ranges.ts';

/**
 * The receiving half: fragments in, whole messages out, in order, exactly once; and what
 * to acknowledge, when.
 *
 * Flow control is a credit in sequence numbers (like QUIC's MAX_STREAM_DATA, counted in
 * fragments instead of bytes): the peer may send seq < consumed + window, where `consumed`
 * moves only when the application takes a message. Everything held — out-of-order fragments,
 * the message being reassembled, finished messages a paused reader has not taken — lies in
 * that range, so this side holds at most window × datagram bytes whatever the peer does, and
 * the fragment the reader waits for is always inside the credit (no deadlock).
 */
export interface ReceiverStats {
  fragmentsReceived: number;
  duplicates: number;
  beyondWindow: number;
  messagesDelivered: number;
  acksSent: number;
}

export type Drop = { code: ChannelErrorCode; message: string };

interface Assembly {
  chunks: Uint8Array[];
  bytes: number;
  length: number;
}

export class Receiver {
  readonly stats: ReceiverStats = { fragmentsReceived: 0, duplicates: 0, beyondWindow: 0, messagesDelivered: 0, acksSent: 0 };
  /** Every seq below this arrived; this one has not. */
  cumulative = 0;
  /** Seqs below this belong to messages the application has taken. */
  consumed = 0;
  /** Payload bytes held: out-of-order fragments, the message in reassembly, finished messages not taken. */
  bufferedBytes = 0;
  /** While paused, finished messages wait here and the window stops opening. */
  paused = false;
  /** Set when the peer broke the fragment sequence; the channel then fails. */
  violation: string | undefined;
  ackDeadlineMs: number | undefined;
  readonly #config: ChannelConfig;
  readonly #window: number;
  readonly #above = new RangeSet();
  /** Out-of-order fragments by seq % window (seqs in [cumulative, consumed + window) map to distinct slots). */
  readonly #slots: (DataFrame | undefined)[];
  #assembly: Assembly | undefined;
  #assemblyFragments = 0;
  readonly #ready = new Deque<{ message: Uint8Array; endSeq: number }>();
  #ackElicitingSinceAck = 0;
  /** Out of order, a duplicate, a gap filled, a window update: the ACK must not wait. */
  #ackUrgent = false;
  #largestSeq = -1;
  #largestArrivalMs = 0;
  #advertisedLimit: number;

  constructor(config: ChannelConfig) {
    this.#config = config;
    this.#window = config.receiveWindowFragments;
    this.#slots = new Array<DataFrame | undefined>(this.#window);
    this.#advertisedLimit = this.#window;
  }

  get windowLimit(): number {
    return this.consumed + this.#window;
  }

  get readyMessages(): number {
    return this.#ready.length;
  }

  /** Takes one DATA frame; returns why it was dropped, if it was. */
  onData(frame: DataFrame, nowMs: number): Drop | undefined {
    const seq = frame.seq;
    if (seq >= this.windowLimit) {
      this.stats.beyondWindow++;
      return { code: 'CHANNEL_BEYOND_WINDOW', message: `fragment ${seq} is past the window limit ${this.windowLimit}` };
    }
    const slot = seq % this.#window;
    if (seq < this.cumulative || this.#slots[slot] !== undefined) {
      this.stats.duplicates++;
      this.#ackUrgent = true; // a duplicate means our ACK was lost or late: say so now
      return undefined;
    }
    this.stats.fragmentsReceived++;
    this.bufferedBytes += frame.payload.length;
    if (seq > this.#largestSeq) {
      this.#largestSeq = seq;
      this.#largestArrivalMs = nowMs;
    }
    if (seq !== this.cumulative) {
      this.#slots[slot] = frame;
      this.#above.add(seq);
      this.#ackUrgent = true; // RFC 9000 §13.2.1 / RFC 5681 §4.2: out of order, acknowledge at once
      return undefined;
    }
    const gapFilled = this.#above.size > 0;
    this.#reassemble(frame);
    this.cumulative = seq + 1;
    const next = this.#above.shiftIfStartsAt(this.cumulative);
    if (next !== undefined) {
      for (let held = next.start; held < next.end; held++) {
        const index = held % this.#window;
        this.#reassemble(this.#slots[index]!);
        this.#slots[index] = undefined;
      }
      this.cumulative = next.end;
    }
    if (gapFilled) this.#ackUrgent = true;
    return undefined;
  }

  /** A datagram that asks for an ACK (DATA or PING) arrived. */
  noteAckEliciting(nowMs: number): void {
    if (this.#ackElicitingSinceAck === 0) this.ackDeadlineMs = nowMs + this.#config.ackDelayMaxMs;
    this.#ackElicitingSinceAck++;
  }

  /** Hands out finished messages unless paused; opening the window enough owes the peer an ACK. */
  takeMessages(): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (!this.paused && this.#ready.length > 0) {
      const { message, endSeq } = this.#ready.shift()!;
      this.consumed = endSeq;
      this.bufferedBytes -= message.length;
      this.stats.messagesDelivered++;
      out.push(message);
    }
    // Window update (RFC 9000 §4.2 spirit): tell the peer once a quarter of the window reopened.
    if (this.windowLimit - this.#advertisedLimit >= this.#window / 4) this.#ackUrgent = true;
    return out;
  }

  /** Anything to acknowledge, to piggy-back on data going out anyway. */
  get ackPending(): boolean {
    return this.#ackUrgent || this.#ackElicitingSinceAck > 0;
  }

  /** An ACK should leave now (RFC 9000 §13.2.2: every second ack-eliciting datagram, or at the deadline). */
  ackDue(nowMs: number): boolean {
    return this.#ackUrgent || this.#ackElicitingSinceAck >= this.#config.ackEveryDatagrams || (this.ackDeadlineMs !== undefined && nowMs >= this.ackDeadlineMs);
  }

  /** Due only by count: it may wait, within the ACK delay, for data to ride on. */
  ackMayWait(nowMs: number): boolean {
    return !this.#ackUrgent && this.ackDeadlineMs !== undefined && nowMs < this.ackDeadlineMs;
  }

  ackFields(nowMs: number): Omit<AckFrame, 'type'> {
    const delayMicros = this.#largestSeq < 0 ? 0 : Math.round((nowMs - this.#largestArrivalMs) * 1000);
    return {
      cumulative: this.cumulative,
      ackDelayMicros: Math.min(Math.max(delayMicros, 0), 2 ** 30 - 1),
      windowLimit: this.windowLimit,
      ranges: this.#above.ranges,
    };
  }

  onAckSent(): void {
    this.#ackElicitingSinceAck = 0;
    this.#ackUrgent = false;
    this.ackDeadlineMs = undefined;
    this.#advertisedLimit = this.windowLimit;
    this.stats.acksSent++;
  }

  clear(): void {
    this.#slots.fill(undefined);
    this.#assembly = undefined;
    this.#ready.clear();
    this.bufferedBytes = 0;
    this.#ackUrgent = false;
    this.#ackElicitingSinceAck = 0;
    this.ackDeadlineMs = undefined;
  }

  /** In-order fragments build messages; any break in the FIRST…LAST sequence is a violation. */
  #reassemble(frame: DataFrame): void {
    if (this.violation !== undefined) return;
    let assembly = this.#assembly;
    if (assembly === undefined) {
      if (frame.messageLength === undefined) return this.#violate(`fragment ${frame.seq} continues a message that never started`);
      assembly = this.#assembly = { chunks: [], bytes: 0, length: frame.messageLength };
      this.#assemblyFragments = 0;
    } else if (frame.messageLength !== undefined) {
      return this.#violate(`fragment ${frame.seq} starts a message inside another`);
    }
    if (++this.#assemblyFragments > this.#config.fragmentsPerMessageMax) {
      return this.#violate(`a message in more than ${this.#config.fragmentsPerMessageMax} fragments`);
    }
    assembly.bytes += frame.payload.length;
    if (assembly.bytes > assembly.length) return this.#violate(`fragments overrun a ${assembly.length}-byte message at seq ${frame.seq}`);
    assembly.chunks.push(frame.payload);
    if (!frame.last) return;
    if (assembly.bytes !== assembly.length) return this.#violate(`a ${assembly.length}-byte message ended after ${assembly.bytes} bytes`);
    this.#ready.push({ message: join(assembly.chunks, assembly.length), endSeq: frame.seq + 1 });
    this.#assembly = undefined;
  }

  #violate(message: string): void {
    this.violation = message;
  }
}

function join(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!.slice();
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
