import { networkInterfaces } from 'node:os';
import { parseLoginName, systemClock, systemRng, type Clock, type Rng, type TimerHandle } from '../names/index.ts';
import {
  decodeMessage,
  formatAddress,
  mainSocket,
  natClassifyDeadlineMs,
  openUdpTransport,
  socketDefaultTtl,
  type Address,
  type AgentRef,
  type ClassifyResult,
  type RendezvousMessage,
} from '../rendezvous/index.ts';
import { createEndpoint, type Connection, type Endpoint } from '../rendezvous/socket/index.ts';
import { AgentLinks } from './agent-links.ts';
import { resolveAgent, type ResolvedAgent } from './agents.ts';
import { ClientError } from './errors.ts';
import type { LoadedWallet } from './files.ts';
import { PeerLink } from './peer-link.ts';
import { RendezvousDriver } from './rendezvous-driver.ts';
import { Introductions, type ConnectResult } from './introductions.ts';

/**
 * A wallet online: one UDP socket (the Endpoint's), a session with its home agent, an account
 * login, presence and NAT classification (the rendezvous core), and sessions with peers over
 * punched or relayed paths. The reusable core of `parley connect`, `send` and `listen`.
 */
export interface WalletNodeOptions {
  readonly wallet: LoadedWallet;
  /** Where the socket binds; default 0.0.0.0 (every interface, any port). */
  readonly bindHost?: string;
  readonly bindPort?: number;
  /** Session keepalive and path probe interval: keep it under the NAT's UDP timeout (default 20 s / 5 s). */
  readonly keepaliveMs?: number;
  readonly agentTimeoutMs?: number;
  readonly log?: (code: string, message: string) => void;
  readonly clock?: Clock;
  readonly rng?: Rng;
}

const agentTimeoutDefaultMs = 5_000;
const probeIntervalDefaultMs = 5_000;

export class WalletNode {
  readonly wallet: LoadedWallet;
  readonly endpoint: Endpoint;
  readonly driver: RendezvousDriver;
  readonly clock: Clock;
  readonly #rng: Rng;
  readonly #log: (code: string, message: string) => void;
  readonly #agents: AgentLinks;
  readonly #links = new Map<string, PeerLink>();
  readonly #introductions: Introductions;
  readonly #options: WalletNodeOptions;
  #onPeer: ((link: PeerLink) => void) | undefined;
  #loginWaiter: { resolve: () => void; reject: (error: ClientError) => void } | undefined;
  #classified: ClassifyResult | undefined;
  readonly #classifiedWaiters: (() => void)[] = [];
  /** The connection's address when its route was last set: a later change is the session roaming. */
  readonly #routeBase = new Map<string, Address | undefined>();

  private constructor(options: WalletNodeOptions, endpoint: Endpoint, home: ResolvedAgent, localAddresses: Address[]) {
    this.wallet = options.wallet;
    this.endpoint = endpoint;
    this.clock = options.clock ?? systemClock;
    this.#rng = options.rng ?? systemRng;
    this.#log = options.log ?? (() => {});
    this.#options = options;
    this.#agents = new AgentLinks({
      endpoint,
      clock: this.clock,
      dataDir: options.wallet.dataDir,
      home: home.name,
      login: options.wallet.settings.login,
      timeoutMs: options.agentTimeoutMs ?? agentTimeoutDefaultMs,
      onMessage: (agent, bytes) => this.#fromAgent(agent, bytes),
      // Back after the agent restarted: log in was sent; presence again (classification is kept).
      onHomeReopened: (connection) => this.driver.step({ kind: 'start', ...rttOf(connection) }),
      log: this.#log,
    });
    const homeRef = { id: home.name, address: home.address };
    this.driver = new RendezvousDriver({ home: homeRef, localAddresses, rng: this.#rng }, this.clock, options.bindHost ?? '0.0.0.0', {
      sendToAgent: (agent, message) => this.#agents.send(agent, message),
      sendMain: (bytes, to, ttl) => void endpoint.sendRaw(bytes, to, ttl === socketDefaultTtl ? {} : { ttl }),
      route: (peerKeyHex, route, connectMs) => {
        const where = route.kind === 'direct' ? `${route.address} from socket ${route.socket}` : `relay ${route.relayAddress}`;
        this.#log('PATH', `${peerKeyHex.slice(0, 16)}…: ${route.kind} (${where}) ${Math.round(connectMs)} ms after the introduction`);
        this.#onRoute(peerKeyHex);
      },
      deliver: (peerKeyHex, bytes, relayAddress) => endpoint.injectDatagram(bytes, relayAddress, { peerIdentityKeyHex: peerKeyHex }),
      sessionDatagram: (bytes, from, socketKey, peerKeyHex) => this.#extraSessionDatagram(bytes, from, socketKey, peerKeyHex),
      outcome: (effect) => this.#introductions.outcome(effect),
      classified: (result) => this.#onClassified(result),
      log: this.#log,
    });
    this.#introductions = new Introductions(this.clock, endpoint, this.driver, (name) => this.#agents.get(name), (peerKeyHex, connection) => this.#link(peerKeyHex, connection));
    endpoint.onForeignDatagram((bytes, from) => this.driver.step({ kind: 'datagram', socket: mainSocket, from, bytes }));
    endpoint.onConnection((connection) => this.#inbound(connection));
  }

  /** Binds, opens the session with the home agent, logs in, and starts presence and NAT classification. */
  static async open(options: WalletNodeOptions): Promise<WalletNode> {
    const { wallet } = options;
    const home = resolveAgent(wallet.dataDir, parseLoginName(wallet.settings.login).agent);
    const clock = options.clock ?? systemClock;
    const transport = await openUdpTransport({ host: options.bindHost ?? '0.0.0.0', port: options.bindPort ?? 0, log: (event) => options.log?.(event.code, event.message) });
    const endpoint = createEndpoint({
      transport,
      clock,
      rng: options.rng ?? systemRng,
      identity: wallet.identity,
      log: (line) => options.log?.('SOCKET', line),
      ...(options.keepaliveMs === undefined ? {} : { sessionLimits: { keepaliveMs: options.keepaliveMs } }),
    });
    const node = new WalletNode(options, endpoint, home, localAddresses(transport.localAddress));
    try {
      await node.#login(home);
    } catch (error) {
      await node.close();
      throw error;
    }
    return node;
  }

  get login(): string {
    return this.wallet.settings.login;
  }

  /** The main socket's mapping as the home agent sees it, once presence-ok arrived. */
  get observed(): Address | undefined {
    return this.driver.state.observed;
  }

  get classification(): ClassifyResult | undefined {
    return this.#classified;
  }

  /** Resolves when NAT classification finished (or after its deadline and a margin, whichever first). */
  whenClassified(timeoutMs = natClassifyDeadlineMs + 2_000): Promise<ClassifyResult | undefined> {
    if (this.#classified !== undefined) return Promise.resolve(this.#classified);
    return new Promise((resolve) => {
      const timer: TimerHandle = this.clock.setTimer(timeoutMs, () => resolve(this.#classified));
      this.#classifiedWaiters.push(() => {
        this.clock.clearTimer(timer);
        resolve(this.#classified);
      });
    });
  }

  /** Inbound sessions from introduced peers. */
  onPeer(handler: (link: PeerLink) => void): void {
    this.#onPeer = handler;
  }

  /** Asks `target`'s agent for an introduction, punches (or relays), and opens the session. */
  connect(target: string, timeoutMs: number): Promise<ConnectResult> {
    return this.#introductions.connect(target, timeoutMs);
  }

  async close(): Promise<void> {
    this.#agents.close();
    this.#introductions.closeAll();
    await Promise.allSettled([...this.#links.values()].map((link) => link.close()));
    await this.driver.close();
    await this.endpoint.close();
  }

  // ── agents ────────────────────────────────────────────────────────────────

  /** Opens the home session (which sends account-login first) and waits for the answer. */
  async #login(home: ResolvedAgent): Promise<void> {
    const answered = new Promise<void>((resolve, reject) => (this.#loginWaiter = { resolve, reject }));
    const timeoutMs = this.#options.agentTimeoutMs ?? agentTimeoutDefaultMs;
    const timer = this.clock.setTimer(timeoutMs, () => this.#loginWaiter?.reject(new ClientError('CLIENT_AGENT_UNREACHABLE', `${home.name} at ${home.address} did not answer the login within ${timeoutMs} ms`)));
    let connection: Connection;
    try {
      connection = await this.#agents.get(home.name).connection;
      await answered;
    } finally {
      this.clock.clearTimer(timer);
      this.#loginWaiter = undefined;
    }
    this.driver.step({ kind: 'start', ...rttOf(connection) });
  }

  #fromAgent(agent: AgentRef, bytes: Uint8Array): void {
    const decoded = decodeMessage(bytes);
    if (!decoded.ok) return this.#log(decoded.error.code, `message from agent ${agent.id} dropped: ${decoded.error.message}`);
    const message = decoded.message;
    if (message.type === 'account-ok') return this.#loginWaiter?.resolve();
    if (message.type === 'account-refused') {
      const why = message.reason === 'taken' ? 'the name belongs to another wallet key' : message.reason;
      const error = new ClientError('CLIENT_LOGIN_REFUSED', `${agent.id} refused the login ${message.login}: ${why}`);
      return this.#loginWaiter === undefined ? this.#log(error.code, error.message) : this.#loginWaiter.reject(error);
    }
    this.driver.step({ kind: 'agent-message', agent, message: message as RendezvousMessage });
  }

  #onClassified(result: ClassifyResult): void {
    this.#classified = result;
    for (const waiter of this.#classifiedWaiters.splice(0)) waiter();
  }

  // ── peers ─────────────────────────────────────────────────────────────────

  /** The rendezvous core chose (or changed) this peer's path: the Endpoint sends its session datagrams there. */
  #onRoute(peerKeyHex: string): void {
    this.#routeBase.set(peerKeyHex, this.#links.get(peerKeyHex)?.connection.remoteAddress);
    this.endpoint.setRoute(peerKeyHex, (datagram) => {
      if (!this.driver.sendSessionDatagram(peerKeyHex, datagram, this.#roamed(peerKeyHex))) {
        const fallback = this.#links.get(peerKeyHex)?.connection.remoteAddress;
        if (fallback !== undefined) void this.endpoint.sendRaw(datagram, fallback);
      }
    });
    this.#links.get(peerKeyHex)?.nudge();
    this.#introductions.routed(peerKeyHex);
  }

  /**
   * A session packet on a birthday punch's socket. It can beat our own punch to "established"
   * (the peer's ack came first): until a session is up, answers go back from the socket it came
   * in on to its observed source, or the handshake answer would leave from the main socket (or
   * an older punch's socket) and the peer's NAT would drop it.
   */
  #extraSessionDatagram(bytes: Uint8Array, from: Address, socketKey: string, peerKeyHex: string | undefined): void {
    if (peerKeyHex === undefined) return this.endpoint.injectDatagram(bytes, from);
    // No session yet (a new caller, or the same one again after its last session closed, whose
    // old route the core still holds): the handshake is answered where it came from.
    const open = this.#links.get(peerKeyHex)?.connection.closed === false;
    const route = this.driver.state.peers.get(peerKeyHex)?.path.route;
    if (!open && (route?.kind !== 'direct' || route.socket !== socketKey || route.address !== from)) {
      this.endpoint.setRoute(peerKeyHex, (datagram) => this.driver.sendOn(socketKey, datagram, from));
    }
    this.endpoint.injectDatagram(bytes, from, { peerIdentityKeyHex: peerKeyHex });
  }

  /** Where the session last heard the peer from, when that moved since the route was set (NAT rebinding). */
  #roamed(peerKeyHex: string): Address | undefined {
    const current = this.#links.get(peerKeyHex)?.connection.remoteAddress;
    if (current === undefined || current === this.#routeBase.get(peerKeyHex)) return undefined;
    return this.#agents.isAgentAddress(current) ? undefined : current;
  }

  #inbound(connection: Connection): void {
    const keyHex = connection.peerIdentityKeyHex;
    if (!this.driver.state.peers.has(keyHex)) {
      this.#log('CLIENT_UNINTRODUCED', `a session from ${connection.remoteAddress} by a wallet no agent introduced: closed`);
      void connection.close();
      return;
    }
    this.#onPeer?.(this.#link(keyHex, connection));
  }

  #link(peerKeyHex: string, connection: Connection): PeerLink {
    const existing = this.#links.get(peerKeyHex);
    if (existing !== undefined && existing.connection === connection) return existing;
    const probeIntervalMs = Math.min(this.#options.keepaliveMs ?? probeIntervalDefaultMs, probeIntervalDefaultMs);
    const link = new PeerLink(connection, {
      clock: this.clock,
      rng: this.#rng,
      probeIntervalMs,
      lostAfterMs: Math.max(3 * probeIntervalMs, 3_000),
      path: () => this.driver.state.peers.get(peerKeyHex)?.path.kind ?? 'failed',
      isRelayAddress: (address) => this.#agents.isAgentAddress(address),
      onDirectLost: () => this.driver.step({ kind: 'direct-lost', peerKeyHex }),
      log: this.#log,
    });
    this.#links.set(peerKeyHex, link);
    connection.onClose(() => {
      if (this.#links.get(peerKeyHex) !== link) return;
      this.#links.delete(peerKeyHex);
      // The session is over: free its relay at the agent now rather than after its idle time.
      const peer = this.driver.state.peers.get(peerKeyHex);
      const relaySessionId = peer?.path.relaySessionId;
      if (peer !== undefined && relaySessionId !== undefined) this.#agents.send(peer.agent, { type: 'relay-release', sessionId: relaySessionId });
    });
    return link;
  }
}

function rttOf(connection: Connection): { rttMs?: number } {
  const rttMs = connection.rttMs();
  return rttMs === undefined ? {} : { rttMs: Math.round(rttMs) };
}

/** The socket's own addresses: its bound address, or every non-loopback IPv4 interface address when bound to 0.0.0.0. */
function localAddresses(bound: Address): Address[] {
  const separator = bound.lastIndexOf(':');
  const host = bound.slice(0, separator);
  const port = Number(bound.slice(separator + 1));
  if (host !== '0.0.0.0') return [bound];
  const addresses: Address[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) addresses.push(formatAddress(entry.address, port));
  }
  return addresses;
}

