import { bytesToHex, type Clock, type TimerHandle } from '../../names/index.ts';
import { formatAddress } from '../../rendezvous/net/index.ts';
import type { Connection, Endpoint } from '../../rendezvous/socket/index.ts';
import { chainPeerSilenceMs, chainReconnectFirstMs, chainReconnectMaxMs } from '../constants.ts';
import type { ChainPeer } from './config.ts';

/**
 * The links between agents of one chain: one encrypted session (IK, with the static keys from
 * chain.json) per peer on the daemon's endpoint. Every agent dials every other agent it has no
 * link to, with backoff; the endpoint answers a dial to an identity already connected with
 * that connection, so a link made from either side serves both. A link that has been silent
 * for chainPeerSilenceMs (consensus gossips a status every gossip interval, so a live peer is
 * never silent that long) is dropped and dialled again: that is how a peer that was killed and
 * restarted gets a fresh session and channel on both sides.
 */

export type PeerLinksOptions = {
  readonly endpoint: Endpoint;
  readonly clock: Clock;
  readonly peers: readonly ChainPeer[];
  readonly log: (code: string, message: string) => void;
  readonly onMessage: (peerHex: string, bytes: Uint8Array) => void;
  readonly onLinkUp?: (peerHex: string) => void;
};

type Link = {
  readonly peer: ChainPeer;
  readonly hex: string;
  connection: Connection | null;
  dialing: boolean;
  backoffMs: number;
  retry: TimerHandle | undefined;
  lastHeardMs: number;
};

export class PeerLinks {
  readonly #options: PeerLinksOptions;
  readonly #links = new Map<string, Link>();
  #sweep: TimerHandle | undefined;
  #closed = false;

  constructor(options: PeerLinksOptions) {
    this.#options = options;
    for (const peer of options.peers) {
      const hex = bytesToHex(peer.identityKey);
      this.#links.set(hex, { peer, hex, connection: null, dialing: false, backoffMs: chainReconnectFirstMs, retry: undefined, lastHeardMs: 0 });
    }
  }

  start(): void {
    for (const link of this.#links.values()) this.#dial(link);
    this.#scheduleSweep();
  }

  /** An inbound session: ours when it comes from a chain peer (the daemon then leaves it alone). */
  adopt(connection: Connection): boolean {
    const link = this.#links.get(connection.peerIdentityKeyHex);
    if (link === undefined || this.#closed) return false;
    this.#attach(link, connection);
    return true;
  }

  isPeer(identityHex: string): boolean {
    return this.#links.has(identityHex);
  }

  connectedCount(): number {
    let count = 0;
    for (const link of this.#links.values()) if (link.connection !== null) count++;
    return count;
  }

  send(peerHex: string, bytes: Uint8Array): void {
    const connection = this.#links.get(peerHex)?.connection;
    if (connection !== null && connection !== undefined) this.#send(connection, bytes);
  }

  broadcast(bytes: Uint8Array, except?: string): void {
    for (const link of this.#links.values()) if (link.connection !== null && link.hex !== except) this.#send(link.connection, bytes);
  }

  close(): void {
    this.#closed = true;
    if (this.#sweep !== undefined) this.#options.clock.clearTimer(this.#sweep);
    for (const link of this.#links.values()) if (link.retry !== undefined) this.#options.clock.clearTimer(link.retry);
  }

  #send(connection: Connection, bytes: Uint8Array): void {
    connection.send(bytes).catch(() => undefined); // a closed link: consensus gossip repeats what matters
  }

  #dial(link: Link): void {
    if (this.#closed || link.connection !== null || link.dialing) return;
    link.dialing = true;
    const { peer } = link;
    this.#options.endpoint
      .connect(formatAddress(peer.host, peer.port), { remoteIdentityKey: peer.identityKey, remoteStaticKey: peer.staticKey, timeoutMs: 2_000 })
      .then((connection) => {
        link.dialing = false;
        if (this.#closed) return;
        if (link.connection !== connection) this.#attach(link, connection);
      })
      .catch((error: unknown) => {
        link.dialing = false;
        if (this.#closed) return;
        if (link.backoffMs === chainReconnectFirstMs) this.#options.log('CHAIN_PEER_UNREACHABLE', `${peer.name}: ${(error as Error).message}`);
        this.#retry(link);
      });
  }

  #retry(link: Link): void {
    if (this.#closed || link.retry !== undefined) return;
    const delay = link.backoffMs;
    link.backoffMs = Math.min(link.backoffMs * 2, chainReconnectMaxMs);
    link.retry = this.#options.clock.setTimer(delay, () => {
      link.retry = undefined;
      this.#dial(link);
    });
  }

  #attach(link: Link, connection: Connection): void {
    if (link.connection === connection) return;
    const previous = link.connection;
    link.connection = connection;
    link.backoffMs = chainReconnectFirstMs;
    link.lastHeardMs = this.#options.clock.nowMs();
    if (previous !== null) void previous.close();
    this.#options.log('CHAIN_PEER_UP', `${link.peer.name} (${connection.initiator ? 'dialled' : 'inbound'})`);
    connection.onMessage((bytes) => {
      if (link.connection !== connection) return;
      link.lastHeardMs = this.#options.clock.nowMs();
      this.#options.onMessage(link.hex, bytes);
    });
    connection.onClose((reason) => {
      if (link.connection !== connection) return;
      link.connection = null;
      this.#options.log('CHAIN_PEER_DOWN', `${link.peer.name}: ${reason}`);
      this.#retry(link);
    });
    this.#options.onLinkUp?.(link.hex);
  }

  /** Drops silent links and dials every peer without one. */
  #scheduleSweep(): void {
    this.#sweep = this.#options.clock.setTimer(chainPeerSilenceMs / 3, () => {
      if (this.#closed) return;
      const now = this.#options.clock.nowMs();
      for (const link of this.#links.values()) {
        const connection = link.connection;
        if (connection !== null && now - link.lastHeardMs > chainPeerSilenceMs) {
          link.connection = null;
          this.#options.log('CHAIN_PEER_SILENT', `${link.peer.name}: nothing for ${now - link.lastHeardMs} ms, reconnecting`);
          void connection.close();
        }
        if (link.connection === null) this.#dial(link);
      }
      this.#scheduleSweep();
    });
  }
}
