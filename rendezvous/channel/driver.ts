import type { Clock, TimerHandle } from '../../names/index.ts';
import { RendezvousError } from '../errors.ts';
import type { ChannelErrorCode } from '../errors.ts';
import type { Address, DatagramTransport } from '../net/index.ts';
import { Channel } from './channel.ts';
import type { ChannelEffect, ChannelEvent, ChannelStats } from './channel.ts';
import type { ChannelOptions } from './config.ts';

/**
 * The thin shell around a Channel: feeds it datagrams and timer events with the clock's time
 * and performs its effects (send a datagram, call the handlers, arm the one timer). All the
 * logic is in the pure core; this file only moves events and effects.
 *
 * Effects are applied in the order the core produced them, also when a handler calls back
 * into the driver (a message handler that sends): the nested step's effects queue behind.
 */
export interface ChannelDriverOptions {
  clock: Clock;
  /** Sends one channel datagram to the peer: through the session, or straight to a transport. */
  sendDatagram: (payload: Uint8Array) => void;
  channel?: ChannelOptions;
  /**
   * Runs a callback on the next event-loop turn (setImmediate). Pacing slots on a fast path are
   * microseconds apart, finer than a real clock's timers (≥ 1 ms); wake-ups due within 1 ms use
   * this instead. Leave it out on a VirtualClock, whose timers are exact.
   */
  immediate?: (callback: () => void) => void;
}

export type ChannelLogHandler = (entry: { code: ChannelErrorCode; message: string }) => void;

export class ChannelDriver {
  readonly channel: Channel;
  readonly #clock: Clock;
  readonly #sendDatagram: (payload: Uint8Array) => void;
  readonly #immediate: ((callback: () => void) => void) | undefined;
  #onMessage: (message: Uint8Array) => void = () => {};
  #onUnreliable: (payload: Uint8Array) => void = () => {};
  #onWritable: () => void = () => {};
  #onLog: ChannelLogHandler = () => {};
  #onFailed: (error: RendezvousError) => void = () => {};
  #pending: ChannelEffect[] = [];
  #applying = false;
  #timer: TimerHandle | undefined;
  #immediateScheduled = false;
  #immediateWanted = false;

  constructor(options: ChannelDriverOptions) {
    this.channel = new Channel(options.channel);
    this.#clock = options.clock;
    this.#sendDatagram = options.sendDatagram;
    this.#immediate = options.immediate;
  }

  onMessage(handler: (message: Uint8Array) => void): void {
    this.#onMessage = handler;
  }

  onUnreliable(handler: (payload: Uint8Array) => void): void {
    this.#onUnreliable = handler;
  }

  /** After send() returned false, called once the queue has room again. */
  onWritable(handler: () => void): void {
    this.#onWritable = handler;
  }

  onLog(handler: ChannelLogHandler): void {
    this.#onLog = handler;
  }

  onFailed(handler: (error: RendezvousError) => void): void {
    this.#onFailed = handler;
  }

  /**
   * Queues a message. Returns false when the send queue is full (backpressure: wait for
   * onWritable); throws CHANNEL_MESSAGE_TOO_LARGE or CHANNEL_CLOSED, which are caller mistakes.
   */
  send(message: Uint8Array): boolean {
    return this.#submit({ type: 'send', message });
  }

  /** Queues an unreliable datagram; false when too many wait. Never retransmitted. */
  sendUnreliable(payload: Uint8Array): boolean {
    return this.#submit({ type: 'sendUnreliable', payload });
  }

  /** Feeds one datagram payload from the peer. */
  receive(payload: Uint8Array): void {
    this.#step({ type: 'datagram', payload });
  }

  /** Stop delivering messages; they wait inside the receive window, and the peer is held back. */
  pause(): void {
    this.#step({ type: 'pause' });
  }

  resume(): void {
    this.#step({ type: 'resume' });
  }

  close(): void {
    this.#step({ type: 'close' });
  }

  stats(): ChannelStats {
    return this.channel.stats();
  }

  #submit(event: ChannelEvent): boolean {
    const refusal = this.#step(event);
    if (refusal === undefined) return true;
    if (refusal.code === 'CHANNEL_QUEUE_FULL') return false;
    throw new RendezvousError(refusal.code, refusal.message);
  }

  /** Steps the core and applies its effects; returns this step's refusal, if any. */
  #step(event: ChannelEvent): { code: ChannelErrorCode; message: string } | undefined {
    const effects = this.channel.step(event, this.#clock.nowMs());
    let refusal: { code: ChannelErrorCode; message: string } | undefined;
    for (const effect of effects) if (effect.type === 'refused') refusal = effect;
    this.#pending.push(...effects);
    if (!this.#applying) {
      this.#applying = true;
      try {
        for (let effect = this.#pending.shift(); effect !== undefined; effect = this.#pending.shift()) this.#apply(effect);
      } finally {
        this.#applying = false;
      }
    }
    return refusal;
  }

  #apply(effect: ChannelEffect): void {
    switch (effect.type) {
      case 'send':
        return this.#sendDatagram(effect.payload);
      case 'deliver':
        return this.#onMessage(effect.message);
      case 'deliverUnreliable':
        return this.#onUnreliable(effect.payload);
      case 'timer':
        return this.#arm(effect.atMs);
      case 'log':
        return this.#onLog({ code: effect.code, message: effect.message });
      case 'refused':
        return;
      case 'writable':
        return this.#onWritable();
      case 'failed':
        this.#onLog({ code: effect.code, message: effect.message });
        return this.#onFailed(new RendezvousError(effect.code, effect.message));
    }
  }

  #arm(atMs: number | undefined): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#immediateWanted = false;
    if (atMs === undefined) return;
    const delayMs = atMs - this.#clock.nowMs();
    if (delayMs < 1 && this.#immediate !== undefined) {
      this.#immediateWanted = true;
      if (this.#immediateScheduled) return; // one pending wake-up serves every request
      this.#immediateScheduled = true;
      this.#immediate(() => {
        this.#immediateScheduled = false;
        if (!this.#immediateWanted) return;
        this.#immediateWanted = false;
        this.#step({ type: 'timer' });
      });
      return;
    }
    this.#timer = this.#clock.setTimer(Math.max(0, delayMs), () => {
      this.#timer = undefined;
      this.#step({ type: 'timer' });
    });
  }
}

/** Runs a channel to `peer` straight over a transport (no session): for tests and the benchmark. */
export function connectChannel(transport: DatagramTransport, peer: Address, options: Omit<ChannelDriverOptions, 'sendDatagram'>): ChannelDriver {
  const driver = new ChannelDriver({ ...options, sendDatagram: (payload) => transport.send(payload, peer) });
  transport.onDatagram((bytes, from) => {
    if (from === peer) driver.receive(bytes);
  });
  return driver;
}
