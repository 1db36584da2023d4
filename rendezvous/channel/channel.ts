import assert from 'node:assert/strict';
import { channelAckReserveBytes } from '../constants.ts';
import type { ChannelErrorCode } from '../errors.ts';
import { ackRangesMax, channelConfig } from './config.ts';
import type { ChannelConfig, ChannelOptions } from './config.ts';
import { Pacer } from './congestion.ts';
import { Deque } from './deque.ts';
import { datagramFrameSize, decodeFrames, FrameWriter } from './frames.ts';
import { Receiver } from './receiver.ts';
import type { ReceiverStats } from './receiver.ts';
import { Sender } from './sender.ts';
import type { SenderStats } from './sender.ts';

/**
 * A reliable, ordered message channel over an unreliable datagram path, as a pure state
 * machine (STYLE 1): events in, effects out, no clock, no socket. `nowMs` comes with every
 * event; the one timer it needs is an effect. For speed the state is one mutable object
 * that `step` updates in place; nothing else holds it, so replaying the same events at the
 * same times gives the same effects.
 *
 * Messages up to 1 MiB are cut into fragments that fill datagrams; ACKs name fragments
 * (cumulative point + ranges, QUIC/SCTP style) and ride on data going the other way.
 * Loss: RFC 9002 §6.1 thresholds plus the RFC 6298 timer. NewReno congestion control with
 * pacing; a fragment credit for flow control; a byte limit on the send queue. Unreliable
 * datagrams share the path but are never retransmitted.
 */
export type ChannelEvent =
  /** A datagram payload from the peer (the session's plaintext). */
  | { type: 'datagram'; payload: Uint8Array }
  /** Queue a message; do not mutate it afterwards (the channel keeps it until acknowledged). */
  | { type: 'send'; message: Uint8Array }
  | { type: 'sendUnreliable'; payload: Uint8Array }
  /** The timer of the last `timer` effect fired. */
  | { type: 'timer' }
  /** The reader stops taking messages: they wait, and the receive window stops opening. */
  | { type: 'pause' }
  | { type: 'resume' }
  /** Drops everything queued and stops; the peer sees nothing (the session closes the path). */
  | { type: 'close' };

export type RefusalCode = Extract<ChannelErrorCode, 'CHANNEL_QUEUE_FULL' | 'CHANNEL_MESSAGE_TOO_LARGE' | 'CHANNEL_DATAGRAM_TOO_LARGE' | 'CHANNEL_CLOSED'>;

export type ChannelEffect =
  | { type: 'send'; payload: Uint8Array }
  | { type: 'deliver'; message: Uint8Array }
  | { type: 'deliverUnreliable'; payload: Uint8Array }
  /**
   * Wake the channel with a `timer` event at `atMs`; undefined cancels; replaces the previous one.
   * `atMs` equal to the event's `nowMs` means: as soon as the events at hand are processed.
   */
  | { type: 'timer'; atMs: number | undefined }
  /** Something from the network was dropped; the channel goes on. */
  | { type: 'log'; code: ChannelErrorCode; message: string }
  /** A `send`/`sendUnreliable` was not accepted (backpressure or misuse). */
  | { type: 'refused'; code: RefusalCode; message: string }
  /** After a CHANNEL_QUEUE_FULL, the send queue drained to half: send again. */
  | { type: 'writable' }
  /** The peer broke the protocol; the channel is dead. */
  | { type: 'failed'; code: 'CHANNEL_PROTOCOL_VIOLATION'; message: string };

export interface ChannelStats {
  sender: Readonly<SenderStats>;
  receiver: Readonly<ReceiverStats>;
  datagramsSent: number;
  datagramsReceived: number;
  datagramsDropped: number;
  queuedBytes: number;
  bytesInFlight: number;
  receiveBufferedBytes: number;
  congestionWindowBytes: number;
  smoothedRttMs: number | undefined;
  retransmitTimeoutMs: number;
}

export class Channel {
  readonly config: ChannelConfig;
  readonly sender: Sender;
  readonly receiver: Receiver;
  #state: 'open' | 'closed' | 'failed' = 'open';
  #unreliable = new Deque<Uint8Array>();
  #effects: ChannelEffect[] = [];
  #timerMs: number | undefined;
  #flushPending = false;
  #datagramsSent = 0;
  #datagramsReceived = 0;
  #datagramsDropped = 0;

  constructor(options: ChannelOptions = {}) {
    this.config = channelConfig(options);
    this.sender = new Sender(this.config);
    this.receiver = new Receiver(this.config);
  }

  get state(): 'open' | 'closed' | 'failed' {
    return this.#state;
  }

  /** Nothing queued, unacknowledged or owed: a caller may close without losing anything. */
  get idle(): boolean {
    return this.sender.queuedBytes === 0 && this.#unreliable.length === 0 && !this.receiver.ackPending;
  }

  step(event: ChannelEvent, nowMs: number): ChannelEffect[] {
    const effects: ChannelEffect[] = (this.#effects = []);
    if (this.#state !== 'open') {
      if (event.type === 'send' || event.type === 'sendUnreliable') this.#refuse('CHANNEL_CLOSED', `the channel is ${this.#state}`);
      return effects;
    }
    switch (event.type) {
      case 'datagram':
        this.#receive(event.payload, nowMs);
        break;
      case 'send':
        this.#send(event.message);
        break;
      case 'sendUnreliable':
        this.#sendUnreliable(event.payload);
        break;
      case 'timer':
        this.#timerMs = undefined; // it fired (perhaps early): whatever is still due is armed again
        this.#flushPending = false;
        this.#flush(nowMs);
        break;
      case 'pause':
        this.receiver.paused = true;
        break;
      case 'resume':
        this.receiver.paused = false;
        this.#deliver();
        break;
      case 'close':
        this.#stop('closed');
        return effects;
    }
    if (this.receiver.violation !== undefined) {
      const message = `peer broke the fragment sequence: ${this.receiver.violation}`;
      effects.push({ type: 'failed', code: 'CHANNEL_PROTOCOL_VIOLATION', message });
      this.#stop('failed');
      return effects;
    }
    // Other events only change state and ask for a flush right after the current batch
    // (timer at `nowMs`): sends made in one turn share datagrams, and one ACK answers all the
    // datagrams a socket read delivered together.
    if (event.type !== 'timer') this.#flushPending = true;
    if (this.sender.refusedSinceDrain && this.sender.queuedBytes <= this.config.sendQueueBytesMax / 2) {
      this.sender.refusedSinceDrain = false;
      effects.push({ type: 'writable' });
    }
    this.#scheduleTimer(nowMs);
    return effects;
  }

  stats(): ChannelStats {
    return {
      sender: this.sender.stats,
      receiver: this.receiver.stats,
      datagramsSent: this.#datagramsSent,
      datagramsReceived: this.#datagramsReceived,
      datagramsDropped: this.#datagramsDropped,
      queuedBytes: this.sender.queuedBytes,
      bytesInFlight: this.sender.bytesInFlight,
      receiveBufferedBytes: this.receiver.bufferedBytes,
      congestionWindowBytes: this.sender.congestion.windowBytes,
      smoothedRttMs: this.sender.rtt.smoothedMs,
      retransmitTimeoutMs: this.sender.rtt.retransmitTimeoutMs,
    };
  }

  #send(message: Uint8Array): void {
    if (message.length > this.config.messageBytesMax) {
      return this.#refuse('CHANNEL_MESSAGE_TOO_LARGE', `a message of ${message.length} bytes exceeds ${this.config.messageBytesMax}`);
    }
    if (!this.sender.enqueue(message)) {
      this.#refuse('CHANNEL_QUEUE_FULL', `send queue holds ${this.sender.queuedBytes} of ${this.config.sendQueueBytesMax} bytes`);
    }
  }

  #sendUnreliable(payload: Uint8Array): void {
    if (payload.length > this.config.unreliablePayloadBytesMax) {
      return this.#refuse('CHANNEL_DATAGRAM_TOO_LARGE', `an unreliable datagram of ${payload.length} bytes exceeds ${this.config.unreliablePayloadBytesMax}`);
    }
    if (this.#unreliable.length >= this.config.unreliableQueueMax) {
      return this.#refuse('CHANNEL_QUEUE_FULL', `${this.#unreliable.length} unreliable datagrams already wait`);
    }
    this.#unreliable.push(payload);
  }

  #receive(payload: Uint8Array, nowMs: number): void {
    this.#datagramsReceived++;
    if (payload.length > this.config.datagramPayloadBytes) {
      return this.#drop('CHANNEL_OVERSIZED_DATAGRAM', `${payload.length} bytes exceed ${this.config.datagramPayloadBytes}`);
    }
    const decoded = decodeFrames(payload, { messageBytesMax: this.config.messageBytesMax, ackRangesMax });
    if (!decoded.ok) return this.#drop(decoded.code, decoded.message);
    let ackEliciting = false;
    for (const frame of decoded.frames) {
      switch (frame.type) {
        case 'ack': {
          const problem = this.sender.onAck(frame, nowMs, this.config.ackDelayMaxMs);
          if (problem !== undefined) this.#log('CHANNEL_BAD_ACK', problem);
          break;
        }
        case 'data': {
          ackEliciting = true;
          const drop = this.receiver.onData(frame, nowMs);
          if (drop !== undefined) this.#log(drop.code, drop.message);
          break;
        }
        case 'datagram':
          this.#effects.push({ type: 'deliverUnreliable', payload: frame.payload });
          break;
        case 'ping':
          ackEliciting = true;
          break;
      }
    }
    if (ackEliciting) this.receiver.noteAckEliciting(nowMs);
    this.#deliver();
  }

  #deliver(): void {
    for (const message of this.receiver.takeMessages()) this.#effects.push({ type: 'deliver', message });
  }

  /**
   * Builds datagrams while something may go: data (within flow control, congestion window
   * and pacing), an ACK that is due, a window probe, unreliable datagrams. An owed ACK rides
   * on the first datagram that leaves anyway.
   */
  #flush(nowMs: number): void {
    const sender = this.sender;
    const receiver = this.receiver;
    sender.onTimer(nowMs);
    sender.pacer.refill(nowMs, this.#pacingRate());
    for (;;) {
      const dataReady = sender.hasSendable && sender.bytesInFlight < sender.congestion.windowBytes && sender.pacer.ready;
      const probeDue = sender.probeDeadlineMs !== undefined && nowMs >= sender.probeDeadlineMs;
      const ackDue = receiver.ackDue(nowMs) && !(receiver.ackMayWait(nowMs) && this.#dataLeavesBy(nowMs, receiver.ackDeadlineMs!));
      if (!dataReady && !probeDue && this.#unreliable.length === 0 && !ackDue) break;
      const writer = new FrameWriter(this.config.datagramPayloadBytes);
      if (receiver.ackPending) {
        writer.ack(receiver.ackFields(nowMs), dataReady ? channelAckReserveBytes : Infinity, ackRangesMax);
        receiver.onAckSent();
      }
      if (probeDue) {
        writer.ping();
        sender.onProbeSent(nowMs);
      }
      for (let next = this.#unreliable.peek(); next !== undefined && datagramFrameSize(next.length) <= writer.remaining; next = this.#unreliable.peek()) {
        writer.datagram(this.#unreliable.shift()!);
      }
      if (dataReady) this.#addFragments(writer, nowMs);
      if (writer.length === 0) break; // nothing fitted: impossible by the config checks, but never spin
      this.#effects.push({ type: 'send', payload: writer.finish() });
      this.#datagramsSent++;
    }
    sender.updateProbe(nowMs);
  }

  #addFragments(writer: FrameWriter, nowMs: number): void {
    const sender = this.sender;
    const packet = sender.nextPacket;
    let carried = false;
    for (;;) {
      const size = sender.peekFrameBytes();
      if (size === undefined || size > writer.remaining) break;
      if (carried && sender.bytesInFlight >= sender.congestion.windowBytes) break;
      const fragment = sender.takeNext(packet, nowMs);
      writer.data(fragment.seq, fragment.messageLength, fragment.last, fragment.payload);
      carried = true;
    }
    if (!carried) return;
    sender.nextPacket++;
    sender.pacer.onSend(writer.length);
  }

  /** Data is held only by pacing and its slot comes by `deadlineMs`: an owed ACK can ride on it. */
  #dataLeavesBy(nowMs: number, deadlineMs: number): boolean {
    const sender = this.sender;
    return sender.hasSendable && sender.bytesInFlight < sender.congestion.windowBytes && sender.pacer.nextReadyMs(nowMs, this.#pacingRate()) <= deadlineMs;
  }

  #pacingRate(): number {
    return Pacer.rateBytesPerMs(this.sender.congestion.windowBytes, this.sender.rtt.pacingRttMs);
  }

  /** One timer: the earliest of pacing, delayed ACK, loss time, retransmission, window probe. */
  #scheduleTimer(nowMs: number): void {
    const sender = this.sender;
    let atMs = Infinity;
    if (sender.hasSendable && sender.bytesInFlight < sender.congestion.windowBytes && !sender.pacer.ready) {
      atMs = sender.pacer.nextReadyMs(nowMs, this.#pacingRate());
    }
    atMs = Math.min(atMs, this.receiver.ackDeadlineMs ?? Infinity, sender.lossTimeMs ?? Infinity, sender.rtoDeadlineMs ?? Infinity, sender.probeDeadlineMs ?? Infinity);
    if (this.#flushPending) atMs = nowMs;
    else assert.ok(atMs > nowMs, `channel: the next wake-up ${atMs} is not after now ${nowMs}`);
    this.#setTimer(atMs === Infinity ? undefined : atMs);
  }

  #setTimer(atMs: number | undefined): void {
    if (atMs === this.#timerMs) return;
    this.#timerMs = atMs;
    this.#effects.push({ type: 'timer', atMs });
  }

  #stop(state: 'closed' | 'failed'): void {
    this.#state = state;
    this.sender.clear();
    this.receiver.clear();
    this.#unreliable.clear();
    this.#setTimer(undefined);
  }

  #refuse(code: RefusalCode, message: string): void {
    this.#effects.push({ type: 'refused', code, message });
  }

  #drop(code: ChannelErrorCode, message: string): void {
    this.#datagramsDropped++;
    this.#log(code, message);
  }

  #log(code: ChannelErrorCode, message: string): void {
    this.#effects.push({ type: 'log', code, message });
  }
}

/** The STYLE 1 signature over Channel: the same object comes back, updated in place. */
export function stepChannel(state: Channel, event: ChannelEvent, nowMs: number): { state: Channel; effects: ChannelEffect[] } {
  return { state, effects: state.step(event, nowMs) };
}
