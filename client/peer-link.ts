import { encodeKey, hexToBytes, type Clock, type Rng, type TimerHandle, type WalletKeyText } from '../names/index.ts';
import { decodeMessage, encodeMessage, type WireMessage } from '../rendezvous/index.ts';
import type { Connection } from '../rendezvous/socket/index.ts';
import { ClientError } from './errors.ts';

/**
 * A session with another wallet, as the CLI uses it: text messages (the `chat` message in the
 * direct room, 16 zero bytes, until rooms land), a delivery check, and the path monitor.
 *
 * Delivery: the channel is reliable and ordered, so after the last chat a `ping` over the same
 * channel whose `pong` comes back proves the peer's client took every message before it.
 *
 * Path monitor: unreliable `ping` datagrams every `probeIntervalMs`, answered with `pong`. On a
 * direct path, nothing heard for `lostAfterMs` means the path died (a NAT rebinding whose new
 * mapping the far NAT filters): the rendezvous core is told `direct-lost` and punches again,
 * while the channel keeps its unacknowledged messages and retransmits once a route is back.
 */
export type PathKind = 'direct' | 'relayed' | 'connecting' | 'failed';

export interface PeerLinkOptions {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly probeIntervalMs: number;
  readonly lostAfterMs: number;
  /** The path the rendezvous core holds for this peer now. */
  readonly path: () => PathKind;
  /** True for a relay's (an agent's) address. */
  readonly isRelayAddress: (address: string) => boolean;
  readonly onDirectLost: () => void;
  readonly log: (code: string, message: string) => void;
}

export const directRoom = new Uint8Array(16);

export class PeerLink {
  readonly connection: Connection;
  readonly peerKeyHex: string;
  readonly peerKey: WalletKeyText;
  readonly #options: PeerLinkOptions;
  #chatHandler: ((text: string) => void) | undefined;
  #heldChats: string[] = [];
  #sequence = 0;
  #lastHeardMs: number;
  #probeTimer: TimerHandle | undefined;
  /** The path at the last probe: a fresh direct path gets a full lostAfterMs before it is judged. */
  #lastPath: PathKind | undefined;
  readonly #pongWaiters = new Map<bigint, () => void>();

  constructor(connection: Connection, options: PeerLinkOptions) {
    this.connection = connection;
    this.peerKeyHex = connection.peerIdentityKeyHex;
    this.peerKey = encodeKey('wallet', hexToBytes(this.peerKeyHex));
    this.#options = options;
    this.#lastHeardMs = options.clock.nowMs();
    connection.onMessage((bytes) => this.#onMessage(bytes));
    connection.onDatagram((bytes) => this.#onDatagram(bytes));
    connection.onClose(() => this.#stop());
    this.#scheduleProbe();
  }

  path(): PathKind {
    return this.#options.path();
  }

  /**
   * How the session runs now, for people and scripts: the core's path, or while it is between
   * paths (the callee before its own ack, a repunch), where the peer's packets last came from.
   */
  via(): 'direct' | 'relayed' {
    const path = this.#options.path();
    if (path === 'direct' || path === 'relayed') return path;
    return this.#options.isRelayAddress(this.connection.remoteAddress) ? 'relayed' : 'direct';
  }

  onChat(handler: (text: string) => void): void {
    this.#chatHandler = handler;
    for (const text of this.#heldChats.splice(0)) handler(text);
  }

  sendChat(text: string): Promise<void> {
    this.#sequence += 1;
    return this.#send({ type: 'chat', room: directRoom, sequence: this.#sequence, sentAtMs: BigInt(Math.floor(this.#options.clock.wallMs())), text });
  }

  /** Resolves once the peer has taken every message sent before (a reliable ping answered). */
  async confirmDelivery(timeoutMs: number): Promise<void> {
    const nonce = new DataView(this.#options.rng.bytes(8).buffer).getBigUint64(0);
    const answered = new Promise<void>((resolve, reject) => {
      const timer = this.#options.clock.setTimer(timeoutMs, () => {
        this.#pongWaiters.delete(nonce);
        reject(new ClientError('CLIENT_SEND_FAILED', `${this.peerKey} did not confirm delivery within ${timeoutMs} ms`));
      });
      this.#pongWaiters.set(nonce, () => {
        this.#options.clock.clearTimer(timer);
        resolve();
      });
      this.connection.onClose((reason) => {
        this.#options.clock.clearTimer(timer);
        reject(new ClientError('CLIENT_SEND_FAILED', `the session with ${this.peerKey} closed (${reason}) before delivery was confirmed`));
      });
    });
    await this.#send({ type: 'ping', nonce });
    await answered;
  }

  /**
   * The path changed (a new punch, a relay): send one reliable ping over it. Its ack is a later
   * fragment acknowledged, so the channel declares what was lost on the dead path lost after
   * about one RTT (RFC 9002 §6.1.2 time threshold) and resends it at once, instead of waiting
   * out a retransmission timer that backed off while the path was down.
   */
  nudge(): void {
    if (this.connection.closed) return;
    void this.#send({ type: 'ping', nonce: new DataView(this.#options.rng.bytes(8).buffer).getBigUint64(0) }).catch(() => {});
  }

  close(): Promise<void> {
    this.#stop();
    return this.connection.close();
  }

  #send(message: WireMessage): Promise<void> {
    return this.connection.send(encodeMessage(message)).catch((error: unknown) => {
      throw new ClientError('CLIENT_SEND_FAILED', `${message.type} to ${this.peerKey}: ${(error as Error).message}`, { cause: error });
    });
  }

  #onMessage(bytes: Uint8Array): void {
    this.#lastHeardMs = this.#options.clock.nowMs();
    const decoded = decodeMessage(bytes);
    if (!decoded.ok) return this.#options.log(decoded.error.code, `message from ${this.peerKey} dropped: ${decoded.error.message}`);
    const message = decoded.message;
    switch (message.type) {
      case 'chat':
        if (this.#chatHandler === undefined) this.#heldChats.push(message.text);
        else this.#chatHandler(message.text);
        return;
      case 'ping':
        void this.#send({ type: 'pong', nonce: message.nonce }).catch(() => {});
        return;
      case 'pong':
        this.#pongWaiters.get(message.nonce)?.();
        this.#pongWaiters.delete(message.nonce);
        return;
      default:
        return this.#options.log('CLIENT_UNEXPECTED_MESSAGE', `${message.type} from ${this.peerKey}`);
    }
  }

  #onDatagram(bytes: Uint8Array): void {
    this.#lastHeardMs = this.#options.clock.nowMs();
    const decoded = decodeMessage(bytes);
    if (decoded.ok && decoded.message.type === 'ping') this.connection.sendDatagram(encodeMessage({ type: 'pong', nonce: decoded.message.nonce }));
  }

  #scheduleProbe(): void {
    this.#probeTimer = this.#options.clock.setTimer(this.#options.probeIntervalMs, () => {
      this.#probeTimer = undefined;
      if (this.connection.closed) return;
      const nowMs = this.#options.clock.nowMs();
      const path = this.path();
      if (path !== this.#lastPath) this.#lastHeardMs = Math.max(this.#lastHeardMs, nowMs - this.#options.probeIntervalMs);
      this.#lastPath = path;
      if (path === 'direct' && nowMs - this.#lastHeardMs >= this.#options.lostAfterMs) {
        this.#options.log('PATH_LOST', `nothing from ${this.peerKey} for ${Math.round(nowMs - this.#lastHeardMs)} ms on the direct path: punching again`);
        this.#lastHeardMs = nowMs; // one repunch per silence
        this.#options.onDirectLost();
      }
      this.connection.sendDatagram(encodeMessage({ type: 'ping', nonce: 0n }));
      this.#scheduleProbe();
    });
  }

  #stop(): void {
    if (this.#probeTimer !== undefined) this.#options.clock.clearTimer(this.#probeTimer);
    this.#probeTimer = undefined;
  }
}
