import { bytesToHex, type Clock, type TimerHandle } from '../../names/index.ts';
import { ChannelDriver, type ChannelOptions, type ChannelStats } from '../channel/index.ts';
import { socketClosePollMs } from '../constants.ts';
import { RendezvousError, type RendezvousErrorCode } from '../errors.ts';
import type { Address } from '../net/index.ts';
import type { PeerId } from '../session/index.ts';
import type { Connection, ConnectionCloseReason } from './types.ts';

/**
 * One established session seen from above: a reliable channel whose datagrams are the session's
 * plaintexts. The connection moves events between the two and the caller; the endpoint owns the
 * session core and tells the connection what the session did (deliver, roam, closed).
 */
export interface ConnectionHost {
  readonly clock: Clock;
  readonly immediate: ((callback: () => void) => void) | undefined;
  readonly channelOptions: ChannelOptions | undefined;
  readonly closeLingerMs: number;
  readonly datagramBacklogMax: number;
  /** Seals one channel datagram in the session and sends it. */
  sendPayload(peer: PeerId, payload: Uint8Array): void;
  /** Ends the session: a close packet when keys allow; the endpoint then calls finish(). */
  closeSession(peer: PeerId, reason: ConnectionCloseReason): void;
  log(code: RendezvousErrorCode, message: string, peer: PeerId): void;
}

export type ConnectionFields = {
  peer: PeerId;
  peerIdentityKey: Uint8Array;
  peerStaticKey: Uint8Array;
  remoteAddress: Address;
  initiator: boolean;
};

type WaitingSend = { message: Uint8Array; resolve: () => void; reject: (error: unknown) => void };

export class SocketConnection implements Connection {
  readonly peer: PeerId;
  readonly peerIdentityKey: Uint8Array;
  readonly peerIdentityKeyHex: string;
  readonly peerStaticKey: Uint8Array;
  readonly initiator: boolean;
  readonly #host: ConnectionHost;
  readonly #driver: ChannelDriver;
  #remoteAddress: Address;
  #closedReason: ConnectionCloseReason | undefined;
  #onMessage: ((message: Uint8Array) => void) | undefined;
  /** Messages that arrived before onMessage was set; the channel is paused while any wait. */
  #heldMessages: Uint8Array[] = [];
  #paused = false;
  #onDatagram: ((bytes: Uint8Array) => void) | undefined;
  #heldDatagrams: Uint8Array[] = [];
  #closeHandlers: ((reason: ConnectionCloseReason) => void)[] = [];
  /** send() calls waiting for room in the channel's send queue, oldest first (from #waitingHead). */
  #waiting: WaitingSend[] = [];
  #waitingHead = 0;
  #closing: { promise: Promise<void>; resolve: () => void; deadlineMs: number; timer: TimerHandle | undefined } | undefined;

  constructor(host: ConnectionHost, fields: ConnectionFields) {
    this.#host = host;
    this.peer = fields.peer;
    this.peerIdentityKey = fields.peerIdentityKey;
    this.peerIdentityKeyHex = bytesToHex(fields.peerIdentityKey);
    this.peerStaticKey = fields.peerStaticKey;
    this.initiator = fields.initiator;
    this.#remoteAddress = fields.remoteAddress;
    this.#driver = new ChannelDriver({
      clock: host.clock,
      immediate: host.immediate,
      channel: host.channelOptions,
      sendDatagram: (payload) => host.sendPayload(this.peer, payload),
    });
    this.#driver.onMessage((message) => this.#deliver(message));
    this.#driver.onUnreliable((payload) => this.#deliverDatagram(payload));
    this.#driver.onWritable(() => this.#drainWaiting());
    this.#driver.onLog((entry) => host.log(entry.code, entry.message, this.peer));
    this.#driver.onFailed(() => host.closeSession(this.peer, 'channel-failed'));
  }

  get remoteAddress(): Address {
    return this.#remoteAddress;
  }

  get closed(): boolean {
    return this.#closedReason !== undefined;
  }

  send(message: Uint8Array): Promise<void> {
    if (this.#closedReason !== undefined) return Promise.reject(this.#closedError());
    if (this.#waitingCount() === 0) {
      try {
        if (this.#driver.send(message)) return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => this.#waiting.push({ message, resolve, reject }));
  }

  sendDatagram(bytes: Uint8Array): boolean {
    if (this.#closedReason !== undefined) return false;
    return this.#driver.sendUnreliable(bytes);
  }

  onMessage(handler: (message: Uint8Array) => void): void {
    this.#onMessage = handler;
    const held = this.#heldMessages;
    this.#heldMessages = [];
    for (const message of held) handler(message);
    if (this.#paused && this.#closedReason === undefined) {
      this.#paused = false;
      this.#driver.resume();
    }
  }

  onDatagram(handler: (bytes: Uint8Array) => void): void {
    this.#onDatagram = handler;
    const held = this.#heldDatagrams;
    this.#heldDatagrams = [];
    for (const datagram of held) handler(datagram);
  }

  onClose(handler: (reason: ConnectionCloseReason) => void): void {
    if (this.#closedReason !== undefined) handler(this.#closedReason);
    else this.#closeHandlers.push(handler);
  }

  rttMs(): number | undefined {
    return this.#driver.channel.sender.rtt.smoothedMs;
  }

  stats(): ChannelStats {
    return this.#driver.stats();
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing.promise;
    if (this.#closedReason !== undefined) return Promise.resolve();
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    this.#closing = { promise, resolve, deadlineMs: this.#host.clock.nowMs() + this.#host.closeLingerMs, timer: undefined };
    this.#lingerOrClose();
    return promise;
  }

  // ── called by the endpoint ────────────────────────────────────────────────

  /** A session plaintext: one channel datagram. */
  receive(payload: Uint8Array): void {
    if (this.#closedReason === undefined) this.#driver.receive(payload);
  }

  /** Roaming: the session authenticated a packet from a new source. */
  moveTo(address: Address): void {
    this.#remoteAddress = address;
  }

  /** The session is gone: whatever complete messages the channel holds are still handed over. */
  finish(reason: ConnectionCloseReason): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    if (this.#paused) this.#driver.resume(); // complete messages go to the held list, not lost
    this.#driver.close();
    const error = this.#closedError();
    for (const waiting of this.#waiting.slice(this.#waitingHead)) waiting.reject(error);
    this.#waiting = [];
    this.#waitingHead = 0;
    if (this.#closing !== undefined) {
      if (this.#closing.timer !== undefined) this.#host.clock.clearTimer(this.#closing.timer);
      this.#closing.resolve();
    }
    const handlers = this.#closeHandlers;
    this.#closeHandlers = [];
    for (const handler of handlers) handler(reason);
  }

  // ── internals ─────────────────────────────────────────────────────────────

  #deliver(message: Uint8Array): void {
    const handler = this.#onMessage;
    if (handler !== undefined) return handler(message);
    this.#heldMessages.push(message);
    // Nobody reads yet: stop taking messages so the receive window, not this list, bounds what waits.
    if (!this.#paused && this.#closedReason === undefined) {
      this.#paused = true;
      this.#driver.pause();
    }
  }

  #deliverDatagram(payload: Uint8Array): void {
    if (this.#onDatagram !== undefined) return this.#onDatagram(payload);
    if (this.#heldDatagrams.length < this.#host.datagramBacklogMax) this.#heldDatagrams.push(payload);
  }

  #waitingCount(): number {
    return this.#waiting.length - this.#waitingHead;
  }

  #drainWaiting(): void {
    while (this.#waitingHead < this.#waiting.length) {
      const next = this.#waiting[this.#waitingHead]!;
      let accepted: boolean;
      try {
        accepted = this.#driver.send(next.message);
      } catch (error) {
        accepted = true; // refused for good (too large): that send fails, the rest go on
        this.#waitingHead++;
        next.reject(error);
        continue;
      }
      if (!accepted) break;
      this.#waitingHead++;
      next.resolve();
    }
    if (this.#waitingHead === this.#waiting.length) {
      this.#waiting = [];
      this.#waitingHead = 0;
    }
    if (this.#closing !== undefined) this.#lingerOrClose();
  }

  /** Clean close: once every queued message was acknowledged (or the linger ran out), close the session. */
  #lingerOrClose(): void {
    const closing = this.#closing;
    if (closing === undefined || this.#closedReason !== undefined) return;
    if (closing.timer !== undefined) this.#host.clock.clearTimer(closing.timer);
    closing.timer = undefined;
    const drained = this.#waitingCount() === 0 && this.#driver.channel.sender.queuedBytes === 0;
    if (drained || this.#host.clock.nowMs() >= closing.deadlineMs) {
      this.#host.closeSession(this.peer, 'local-close');
      return;
    }
    closing.timer = this.#host.clock.setTimer(socketClosePollMs, () => {
      closing.timer = undefined;
      this.#lingerOrClose();
    });
  }

  #closedError(): RendezvousError {
    return new RendezvousError('SOCKET_CLOSED', `connection to ${this.peerIdentityKeyHex} is closed (${this.#closedReason ?? 'closing'})`);
  }
}
