import { bytesToHex, equalBytes, expectBytes, schnorrPublicKey, systemClock, x25519PublicKey, type TimerHandle } from '../../names/index.ts';
import { RendezvousError, type RendezvousErrorCode } from '../errors.ts';
import type { Address, DatagramTransport } from '../net/index.ts';
import { NOISE_DH_BYTES, signStaticBinding } from '../noise/index.ts';
import { classifyDatagram } from '../punch/index.ts';
import { createSessionHost, sessionStep, type PeerId, type SessionEffect, type SessionEvent, type SessionHostState } from '../session/index.ts';
import { SocketConnection, type ConnectionHost } from './connection.ts';
import { connectFailure, type PendingConnect } from './pending.ts';
import { defaultSocketLimits, type Connection, type ConnectionCloseReason, type ConnectOptions, type Endpoint, type EndpointOptions, type Route, type SocketLimits } from './types.ts';

/**
 * The socket shell (STYLE 1: the only I/O around the session core and the channels). It owns
 * one DatagramTransport and sorts what arrives by first byte (docs/PROTOCOL.md "Datagrams on
 * one socket"): session packets go to the session core, everything else to the rendezvous
 * layer's handler. The core's effects are applied in the order it produced them, also when
 * applying one (a handler that sends) makes the core produce more: those queue behind.
 */
export function createEndpoint(options: EndpointOptions): Endpoint {
  return new SocketEndpoint(options);
}

/** A session effect waiting to be applied; `via` is the peer a relayed handshake answer goes back to. */
type Queued = { effect: SessionEffect; via: string | undefined };

class SocketEndpoint implements Endpoint, ConnectionHost {
  readonly identityKey: Uint8Array;
  readonly staticPublicKey: Uint8Array;
  readonly localAddress: Address;
  readonly clock: EndpointOptions['clock'];
  readonly immediate: ((callback: () => void) => void) | undefined;
  readonly channelOptions: EndpointOptions['channel'];
  readonly closeLingerMs: number;
  readonly datagramBacklogMax: number;
  readonly #limits: SocketLimits;
  readonly #transport: DatagramTransport;
  readonly #logLine: ((line: string) => void) | undefined;
  readonly #host: SessionHostState;
  readonly #connections = new Map<PeerId, SocketConnection>();
  readonly #byIdentity = new Map<string, SocketConnection>();
  readonly #pending = new Map<PeerId, PendingConnect>();
  readonly #pendingByIdentity = new Map<string, PendingConnect>();
  /** One clock timer per session; it may fire early (the core then asks again), never late. */
  readonly #timers = new Map<PeerId, { handle: TimerHandle; atMs: number }>();
  readonly #routes = new Map<string, Route>();
  readonly #identityOfPeer = new Map<PeerId, string>();
  #onConnection: ((connection: Connection) => void) | undefined;
  #onForeign: ((bytes: Uint8Array, from: Address) => void) | undefined;
  #queue: Queued[] = [];
  #applying = false;
  /** While a relayed datagram is stepped: answers to its source go back through this peer's route. */
  #injecting: { from: Address; identityHex: string } | undefined;
  #closed = false;

  constructor(options: EndpointOptions) {
    const { identity, clock, rng } = options;
    expectBytes(identity.secretKey, 32, 'identity secret key');
    if (!equalBytes(schnorrPublicKey(identity.secretKey), identity.publicKey)) {
      throw new RendezvousError('SOCKET_BAD_CONFIG', 'identity: the public key is not the secret key’s');
    }
    this.#limits = checkLimits({ ...defaultSocketLimits, ...options.limits });
    this.#transport = options.transport;
    this.#logLine = options.log;
    this.clock = clock;
    this.immediate = options.immediate ?? (clock === systemClock ? setImmediate : undefined);
    this.channelOptions = options.channel;
    this.closeLingerMs = this.#limits.closeLingerMs;
    this.datagramBacklogMax = this.#limits.datagramBacklogMax;
    const staticKeyPair = options.staticKeyPair ?? generateStaticKeyPair(rng.bytes(NOISE_DH_BYTES));
    const binding = signStaticBinding(identity.secretKey, staticKeyPair.publicKey, rng.bytes(32));
    this.#host = createSessionHost(
      {
        staticKeyPair,
        binding,
        rng,
        ...(options.dh === undefined ? {} : { dh: options.dh }),
        ...(options.hash === undefined ? {} : { hash: options.hash }),
        ...(options.sessionLimits === undefined ? {} : { limits: options.sessionLimits }),
        wallClockOffsetMs: clock.wallMs() - clock.nowMs(),
      },
      clock.nowMs(),
    );
    this.identityKey = new Uint8Array(identity.publicKey);
    this.staticPublicKey = new Uint8Array(staticKeyPair.publicKey);
    this.localAddress = this.#transport.localAddress;
    this.#transport.onDatagram((bytes, from) => this.#receive(bytes, from));
  }

  // ── Endpoint API ──────────────────────────────────────────────────────────

  connect(address: Address, options: ConnectOptions): Promise<Connection> {
    try {
      return this.#connect(address, options);
    } catch (error) {
      return Promise.reject(error); // a key of the wrong size: a typed NamesError, as a rejection like every other failure
    }
  }

  #connect(address: Address, options: ConnectOptions): Promise<Connection> {
    if (this.#closed) return Promise.reject(new RendezvousError('SOCKET_CLOSED', 'connect: the endpoint is closed'));
    expectBytes(options.remoteIdentityKey, 32, 'remote identity key');
    if (options.remoteStaticKey !== undefined) expectBytes(options.remoteStaticKey, NOISE_DH_BYTES, 'remote static key');
    const identityHex = bytesToHex(options.remoteIdentityKey);
    const open = this.#byIdentity.get(identityHex);
    if (open !== undefined && !open.closed) return Promise.resolve(open);
    const inFlight = this.#pendingByIdentity.get(identityHex);
    if (inFlight !== undefined) return inFlight.promise;
    const peer = options.remoteStaticKey === undefined ? `xx/${identityHex}` : bytesToHex(options.remoteStaticKey);
    const existing = this.#connections.get(peer);
    if (existing !== undefined) {
      // This static key is already in a session, proven to belong to another identity.
      return Promise.reject(connectFailure({ address, expected: options.remoteIdentityKey, pattern: 'ik' }, 'identity-mismatch', existing.peerIdentityKey));
    }
    if (this.#pending.size >= this.#limits.pendingConnectsMax || this.#connections.size >= this.#limits.connectionsMax) {
      const message = `connect to ${address}: ${this.#pending.size} handshakes pending and ${this.#connections.size} connections open (limits ${this.#limits.pendingConnectsMax}, ${this.#limits.connectionsMax})`;
      return Promise.reject(new RendezvousError('SOCKET_TOO_MANY_CONNECTIONS', message));
    }
    const pending = this.#addPending(peer, identityHex, address, options);
    const event: SessionEvent = { kind: 'connect', address, remoteIdentityKey: options.remoteIdentityKey };
    if (options.remoteStaticKey === undefined) event.peer = peer;
    else event.remoteStaticKey = options.remoteStaticKey;
    this.#step(event);
    return pending.promise;
  }

  onConnection(handler: (connection: Connection) => void): void {
    this.#onConnection = handler;
  }

  onForeignDatagram(handler: (bytes: Uint8Array, from: Address) => void): void {
    this.#onForeign = handler;
  }

  async sendRaw(bytes: Uint8Array, to: Address, options: { ttl?: number } = {}): Promise<void> {
    const transport = this.#transport;
    if (transport.sendWithOptions !== undefined) return transport.sendWithOptions(bytes, to, options);
    if (options.ttl !== undefined) this.log('SOCKET_TTL_UNSUPPORTED', `sendRaw to ${to}: this transport cannot set TTL ${options.ttl}; sent with its default`);
    transport.send(bytes, to);
  }

  setRoute(peerIdentityKeyHex: string, route: Route | undefined): void {
    if (route === undefined) this.#routes.delete(peerIdentityKeyHex.toLowerCase());
    else this.#routes.set(peerIdentityKeyHex.toLowerCase(), route);
  }

  injectDatagram(bytes: Uint8Array, from: Address, options: { peerIdentityKeyHex?: string } = {}): void {
    if (this.#closed) return;
    if (classifyDatagram(bytes) !== 'session') {
      this.log('SOCKET_UNKNOWN_DATAGRAM', `injected datagram from ${from} is not a session packet (first byte ${bytes[0] ?? 'none'})`);
      return;
    }
    const outer = this.#injecting;
    this.#injecting = options.peerIdentityKeyHex === undefined ? undefined : { from, identityHex: options.peerIdentityKeyHex.toLowerCase() };
    try {
      this.#step({ kind: 'datagram', from, datagram: bytes });
    } finally {
      this.#injecting = outer;
    }
  }

  connections(): Connection[] {
    return [...this.#connections.values()];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of [...this.#pending.values()]) this.#failPending(pending, new RendezvousError('SOCKET_CLOSED', `connect to ${pending.address}: the endpoint closed`));
    for (const peer of [...this.#connections.keys()]) this.closeSession(peer, 'endpoint-closed');
    for (const timer of this.#timers.values()) this.clock.clearTimer(timer.handle);
    this.#timers.clear();
    await this.#transport.close();
  }

  // ── ConnectionHost ────────────────────────────────────────────────────────

  sendPayload(peer: PeerId, payload: Uint8Array): void {
    if (this.#host.peers.has(peer)) this.#step({ kind: 'send', peer, payload });
  }

  closeSession(peer: PeerId, reason: ConnectionCloseReason): void {
    const connection = this.#connections.get(peer);
    // Detached first, so the core's own 'closed' (local-close) finds no connection: it learns the real reason below.
    this.#detach(peer);
    if (this.#host.peers.has(peer)) this.#step({ kind: 'close', peer });
    this.#forget(peer);
    connection?.finish(reason);
  }

  log(code: RendezvousErrorCode, message: string, peer?: PeerId, from?: string): void {
    if (this.#logLine === undefined) return;
    const where = [peer === undefined ? '' : ` peer ${peer.slice(0, 16)}`, from === undefined ? '' : ` from ${from}`].join('');
    this.#logLine(`socket ${this.localAddress}: ${code} ${message}${where}`);
  }

  // ── the session core and its effects ──────────────────────────────────────

  #receive(bytes: Uint8Array, from: Address): void {
    const first = bytes[0];
    // Session packet types 0x01–0x08 first: the hot path skips the classifier.
    if (first !== undefined && first >= 0x01 && first <= 0x08) return this.#step({ kind: 'datagram', from, datagram: bytes });
    const kind = classifyDatagram(bytes);
    if (kind === 'unknown') return this.log('SOCKET_UNKNOWN_DATAGRAM', `${bytes.length} bytes, first byte ${first ?? 'none'}`, undefined, from);
    if (this.#onForeign === undefined) return this.log('SOCKET_NO_FOREIGN_HANDLER', `${kind} datagram of ${bytes.length} bytes dropped`, undefined, from);
    this.#onForeign(bytes, from);
  }

  #step(event: SessionEvent): void {
    const { effects } = sessionStep(this.#host, event, this.clock.nowMs());
    const via = this.#injecting?.identityHex;
    for (const effect of effects) this.#queue.push({ effect, via: via !== undefined && effect.kind === 'send' && effect.to === this.#injecting?.from ? via : undefined });
    if (this.#applying) return;
    this.#applying = true;
    try {
      for (let index = 0; index < this.#queue.length; index++) this.#apply(this.#queue[index]!);
    } finally {
      this.#queue = [];
      this.#applying = false;
    }
  }

  #apply({ effect, via }: Queued): void {
    switch (effect.kind) {
      case 'send':
        return this.#send(effect.datagram, effect.to, effect.peer, via);
      case 'deliver':
        return this.#connections.get(effect.peer)?.receive(effect.payload);
      case 'timer':
        return this.#armTimer(effect.peer, effect.atMs);
      case 'established':
        return this.#established(effect);
      case 'endpoint':
        return this.#connections.get(effect.peer)?.moveTo(effect.address);
      case 'closed':
        return this.#sessionClosed(effect);
      case 'rekeyed':
        return;
      case 'log':
        return this.log(effect.code as RendezvousErrorCode, effect.message, effect.peer, effect.from);
    }
  }

  #send(datagram: Uint8Array, to: Address, peer: PeerId | undefined, via: string | undefined): void {
    if (this.#routes.size > 0) {
      const identityHex = via ?? (peer === undefined ? undefined : this.#identityHexOf(peer));
      const route = identityHex === undefined ? undefined : this.#routes.get(identityHex);
      if (route !== undefined) return route(datagram);
    }
    this.#transport.send(datagram, to);
  }

  /**
   * The identity a session belongs to: kept for connections and our pending connects; a peer
   * the core is still confirming (a responder's first packets) is looked up in the core, not
   * kept, since the core may drop it without telling.
   */
  #identityHexOf(peer: PeerId): string | undefined {
    const known = this.#identityOfPeer.get(peer);
    if (known !== undefined) return known;
    const identity = this.#host.peers.get(peer)?.remoteIdentity;
    return identity === undefined ? undefined : bytesToHex(identity);
  }

  #armTimer(peer: PeerId, atMs: number): void {
    if (this.#closed || !this.#host.peers.has(peer)) return; // asked for before the session closed in this batch
    const armed = this.#timers.get(peer);
    if (armed !== undefined) {
      if (armed.atMs <= atMs) return; // fires early; the tick asks for the later time again
      this.clock.clearTimer(armed.handle);
    }
    const handle = this.clock.setTimer(Math.max(0, atMs - this.clock.nowMs()), () => {
      this.#timers.delete(peer);
      if (!this.#closed) this.#step({ kind: 'tick', peer });
    });
    this.#timers.set(peer, { handle, atMs });
  }

  #established(effect: Extract<SessionEffect, { kind: 'established' }>): void {
    const pending = this.#pending.get(effect.peer);
    if (pending !== undefined && !equalBytes(pending.expected, effect.remoteIdentityKey)) {
      // The core checked the identity when it ran the handshake for this connect; a session it
      // had already (inbound, from this static key) was checked against nothing.
      this.#failPending(pending, connectFailure(pending, 'identity-mismatch', effect.remoteIdentityKey));
      this.closeSession(effect.peer, 'identity-mismatch');
      return;
    }
    if (this.#connections.has(effect.peer)) return;
    if (pending === undefined && this.#connections.size >= this.#limits.connectionsMax) {
      this.log('SOCKET_TOO_MANY_CONNECTIONS', `inbound session refused: ${this.#connections.size} connections open`, effect.peer, effect.address);
      this.closeSession(effect.peer, 'too-many-connections');
      return;
    }
    const connection = new SocketConnection(this, {
      peer: effect.peer,
      peerIdentityKey: effect.remoteIdentityKey,
      peerStaticKey: effect.remoteStaticKey,
      remoteAddress: effect.address,
      initiator: pending !== undefined,
    });
    this.#connections.set(effect.peer, connection);
    this.#byIdentity.set(connection.peerIdentityKeyHex, connection);
    this.#identityOfPeer.set(effect.peer, connection.peerIdentityKeyHex);
    if (pending !== undefined) {
      this.#removePending(pending);
      pending.resolve(connection);
    } else {
      this.#onConnection?.(connection);
    }
  }

  #sessionClosed(effect: Extract<SessionEffect, { kind: 'closed' }>): void {
    const pending = this.#pending.get(effect.peer);
    if (pending !== undefined) this.#failPending(pending, connectFailure(pending, effect.reason, effect.presentedIdentityKey));
    const connection = this.#connections.get(effect.peer);
    this.#forget(effect.peer);
    connection?.finish(effect.reason);
  }

  #detach(peer: PeerId): void {
    const connection = this.#connections.get(peer);
    this.#connections.delete(peer);
    if (connection !== undefined && this.#byIdentity.get(connection.peerIdentityKeyHex) === connection) this.#byIdentity.delete(connection.peerIdentityKeyHex);
  }

  /** After the core dropped a session: its connection, identity and timer go too. */
  #forget(peer: PeerId): void {
    this.#detach(peer);
    if (this.#host.peers.has(peer)) return;
    if (!this.#pending.has(peer)) this.#identityOfPeer.delete(peer);
    const timer = this.#timers.get(peer);
    if (timer !== undefined) {
      this.clock.clearTimer(timer.handle);
      this.#timers.delete(peer);
    }
  }

  // ── pending connects ──────────────────────────────────────────────────────

  #addPending(peer: PeerId, identityHex: string, address: Address, options: ConnectOptions): PendingConnect {
    let resolve!: (connection: Connection) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<Connection>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    const timeoutMs = options.timeoutMs ?? this.#limits.connectTimeoutMs;
    const pending: PendingConnect = {
      peer,
      identityHex,
      address,
      expected: new Uint8Array(options.remoteIdentityKey),
      pattern: options.remoteStaticKey === undefined ? 'xx' : 'ik',
      timeoutMs,
      promise,
      resolve,
      reject,
      timer: undefined,
    };
    pending.timer = this.clock.setTimer(timeoutMs, () => {
      pending.timer = undefined;
      this.#failPending(pending, connectFailure(pending, 'handshake-timeout'));
      if (this.#host.peers.has(peer) && !this.#connections.has(peer)) this.#step({ kind: 'close', peer });
    });
    this.#pending.set(peer, pending);
    this.#pendingByIdentity.set(identityHex, pending);
    this.#identityOfPeer.set(peer, identityHex); // a relayed handshake takes the route from its first packet
    return pending;
  }

  #failPending(pending: PendingConnect, error: RendezvousError): void {
    if (this.#pending.get(pending.peer) !== pending) return;
    this.#removePending(pending);
    if (!this.#connections.has(pending.peer)) this.#identityOfPeer.delete(pending.peer);
    pending.reject(error);
  }

  #removePending(pending: PendingConnect): void {
    if (pending.timer !== undefined) this.clock.clearTimer(pending.timer);
    pending.timer = undefined;
    this.#pending.delete(pending.peer);
    if (this.#pendingByIdentity.get(pending.identityHex) === pending) this.#pendingByIdentity.delete(pending.identityHex);
  }
}

function generateStaticKeyPair(secretKey: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

function checkLimits(limits: SocketLimits): SocketLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RendezvousError('SOCKET_BAD_CONFIG', `socket limit ${name} must be a finite number ≥ 0, got ${value}`);
  }
  if (limits.connectionsMax < 1 || limits.pendingConnectsMax < 1) throw new RendezvousError('SOCKET_BAD_CONFIG', 'socket limits: room for at least one connection and one pending connect');
  return limits;
}
