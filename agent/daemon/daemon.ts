import { encodeKey, systemClock, systemRng, type Clock, type Rng, type TimerHandle } from '../../names/index.ts';
import { decodeMessage, encodeMessage, openUdpTransport, type Address, type RendezvousMessage, type UdpTransport, type WireMessage } from '../../rendezvous/index.ts';
import { createEndpoint, type Connection, type Endpoint } from '../../rendezvous/socket/index.ts';
import { accountCreationBurstPerSource, accountCreationsPerSecondPerSource, accountLoginsPerSessionMax, daemonSocketBufferBytes, rendezvousRateKeysMax } from '../constants.ts';
import { AgentError } from '../errors.ts';
import { agentEndpoints, createRendezvousAgent, KeyedBuckets, rendezvousAgentStep, sourceHost, type AgentEndpointName, type AgentEndpoints, type RendezvousAgentEffect, type RendezvousAgentEvent, type RendezvousAgentState } from '../rendezvous/index.ts';
import { SqliteAccountStore, type AccountStore } from './accounts.ts';
import type { AgentSettings, LoadedAgent } from './files.ts';
import { shortKey, type EventLog } from './log.ts';
import { decideLogin } from './login.ts';
import { attachChain } from './chain.ts';

/**
 * `parley-agent run`: the I/O shell around the pure rendezvous service (agent/rendezvous) and
 * the account rule (login.ts). It binds the main port (sessions, relays, NAT probes through the
 * Endpoint), the probe port, and both again on the second address when there is one; hands the
 * service every rendezvous message with the session's proven identity and observed address;
 * and carries out its effects. Nothing from the network is thrown: bad input is logged and dropped.
 */
export interface RunningAgent {
  readonly settings: AgentSettings;
  readonly endpoints: AgentEndpoints;
  /** Wallets with an open session. */
  sessionCount(): number;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly log: EventLog;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** For tests: an in-memory store instead of the agent's SQLite file. */
  readonly accounts?: AccountStore;
}

interface WalletSession {
  readonly connection: Connection;
  wallet: string | undefined;
  logins: number;
}

const rendezvousTypes: ReadonlySet<string> = new Set(['presence-login', 'presence-keepalive', 'presence-logout', 'introduce-request', 'relay-allocate', 'relay-release']);

export async function startAgent(loaded: LoadedAgent, options: StartOptions): Promise<RunningAgent> {
  const { settings } = loaded;
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const rng = options.rng ?? systemRng;
  const endpoints = agentEndpoints(settings.address, settings.secondAddress, settings.port, settings.probePort);
  const transports = await bindAll(endpoints, log);
  const accounts = options.accounts ?? SqliteAccountStore.open(loaded.databasePath);
  const endpoint = createEndpoint({
    transport: transports.primary!,
    clock,
    rng,
    identity: loaded.identity,
    staticKeyPair: loaded.staticKeyPair,
    log: (line) => log('SOCKET', line),
  });
  // The chain service (agent/chain/) when the data directory holds a chain: it shares this endpoint.
  const chain = await attachChain(loaded, endpoint, { clock, rng, log });
  const creations = new KeyedBuckets({ ratePerSecond: accountCreationsPerSecondPerSource, burst: accountCreationBurstPerSource }, rendezvousRateKeysMax);
  const sessions = new Map<string, WalletSession>();
  let state: RendezvousAgentState = createRendezvousAgent({ agentName: settings.name, endpoints, rng }, clock.nowMs());
  let timer: TimerHandle | undefined;
  let closed = false;

  const step = (event: RendezvousAgentEvent): void => {
    if (closed) return;
    const result = rendezvousAgentStep(state, event, clock.nowMs());
    state = result.state;
    for (const effect of result.effects) apply(effect);
  };

  const apply = (effect: RendezvousAgentEffect): void => {
    switch (effect.kind) {
      case 'send-message': {
        const session = sessions.get(effect.walletKeyHex);
        if (session === undefined) return log('SOCKET_CLOSED', `${effect.message.type} for ${shortKey(effect.walletKeyHex)}: no session`);
        logOutgoing(log, session, effect.message);
        send(session, effect.message);
        return;
      }
      case 'send-datagram':
        if (effect.from === 'primary') void endpoint.sendRaw(effect.bytes, effect.to);
        else transports[effect.from]?.send(effect.bytes, effect.to);
        return;
      case 'timer':
        if (timer !== undefined) clock.clearTimer(timer);
        timer = clock.setTimer(Math.max(0, effect.atMs - clock.nowMs()), () => step({ kind: 'tick' }));
        return;
      case 'log':
        return log(effect.code, effect.message);
    }
  };

  const send = (session: WalletSession, message: WireMessage): void => {
    session.connection.send(encodeMessage(message)).catch((error: unknown) => log('SOCKET_SEND_FAILED', `${message.type} to ${shortKey(session.connection.peerIdentityKeyHex)}: ${(error as Error).message}`));
  };

  const onMessage = (session: WalletSession, bytes: Uint8Array): void => {
    if (chain?.take(session.connection, bytes) === true) return;
    const keyHex = session.connection.peerIdentityKeyHex;
    const decoded = decodeMessage(bytes);
    if (!decoded.ok) return log(decoded.error.code, `message from ${shortKey(keyHex)} dropped: ${decoded.error.message}`);
    const message = decoded.message;
    if (message.type === 'account-login') return login(session, message.login);
    if (!rendezvousTypes.has(message.type)) return log('RENDEZVOUS_UNEXPECTED_MESSAGE', `${message.type} from ${shortKey(keyHex)}`);
    const wallet = { key: session.connection.peerIdentityKey, keyHex, name: session.wallet };
    step({ kind: 'message', wallet, from: session.connection.remoteAddress, message: message as RendezvousMessage });
  };

  const login = (session: WalletSession, loginText: string): void => {
    const { connection } = session;
    session.logins += 1;
    if (session.logins > accountLoginsPerSessionMax) {
      log('ACCOUNT_RATE_LIMITED', `${loginText}: ${session.logins} logins in one session from ${shortKey(connection.peerIdentityKeyHex)}`);
      return send(session, { type: 'account-refused', login: loginText, reason: 'rate-limited' });
    }
    const decision = decideLogin(accounts, {
      loginText,
      walletKeyHex: connection.peerIdentityKeyHex,
      agentName: settings.name,
      wallMs: clock.wallMs(),
      mayCreate: () => creations.take(sourceHost(connection.remoteAddress), clock.nowMs()),
    });
    if (!decision.ok) {
      log(decision.code, `login refused (${decision.reason}): ${decision.message}`);
      return send(session, { type: 'account-refused', login: loginText, reason: decision.reason });
    }
    session.wallet = decision.wallet;
    log('LOGIN', `${decision.login} ${encodeKey('wallet', connection.peerIdentityKey)} from ${connection.remoteAddress}${decision.created ? ' (account created)' : ''}`);
    send(session, { type: 'account-ok', login: decision.login, created: decision.created });
  };

  endpoint.onConnection((connection) => {
    if (chain?.adopt(connection) === true) return;
    const keyHex = connection.peerIdentityKeyHex;
    const session: WalletSession = { connection, wallet: undefined, logins: 0 };
    sessions.set(keyHex, session);
    log('SESSION_OPEN', `${shortKey(keyHex)} from ${connection.remoteAddress}`);
    connection.onMessage((bytes) => onMessage(session, bytes));
    connection.onClose((reason) => {
      log('SESSION_CLOSED', `${shortKey(keyHex)}${session.wallet === undefined ? '' : ` (${session.wallet})`}: ${reason}`);
      // A wallet that restarted has a newer session with the same key: the old one idling out must not log it off.
      if (sessions.get(keyHex) !== session) return;
      sessions.delete(keyHex);
      step({ kind: 'session-closed', walletKeyHex: keyHex });
    });
  });
  endpoint.onForeignDatagram((bytes, from) => step({ kind: 'datagram', endpoint: 'primary', from, bytes }));
  for (const name of ['otherPort', 'otherAddress', 'otherAddressPort'] as const) {
    transports[name]?.onDatagram((bytes, from) => step({ kind: 'datagram', endpoint: name, from, bytes }));
  }
  step({ kind: 'tick' });

  return {
    settings,
    endpoints,
    sessionCount: () => sessions.size,
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimer(timer);
      chain?.close();
      await endpoint.close();
      await Promise.all(Object.entries(transports).filter(([name]) => name !== 'primary').map(([, transport]) => transport?.close()));
      accounts.close();
    },
  };
}

/** Binds every configured endpoint, or closes what it bound and throws DAEMON_BIND_FAILED naming the address. */
async function bindAll(endpoints: AgentEndpoints, log: EventLog): Promise<Partial<Record<AgentEndpointName, UdpTransport>>> {
  const bound: Partial<Record<AgentEndpointName, UdpTransport>> = {};
  for (const [name, address] of Object.entries(endpoints) as [AgentEndpointName, Address | undefined][]) {
    if (address === undefined) continue;
    const separator = address.lastIndexOf(':');
    const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
    try {
      bound[name] = await openUdpTransport({ host, port: Number(address.slice(separator + 1)), bufferBytes: daemonSocketBufferBytes, log: (event) => log(event.code, event.message) });
    } catch (error) {
      await Promise.all(Object.values(bound).map((transport) => transport.close()));
      throw new AgentError('DAEMON_BIND_FAILED', `cannot bind ${name} endpoint ${address}: ${(error as Error).message}`, { cause: error });
    }
  }
  return bound;
}

/** One line per rendezvous event worth reading later; keepalive answers are not. */
function logOutgoing(log: EventLog, session: WalletSession, message: RendezvousMessage): void {
  const who = session.wallet ?? shortKey(session.connection.peerIdentityKeyHex);
  switch (message.type) {
    case 'presence-ok':
      if (message.sequence === 0) log('ONLINE', `${who} at ${message.observed}`);
      return;
    case 'introduce-offer':
      log('INTRODUCE', `${who} (${message.role}) ↔ ${shortKey(Buffer.from(message.peerKey).toString('hex'))} at ${message.peerObserved}, profile ${message.profile.mapping}/${message.profile.filtering}, peer ${message.peerProfile.mapping}/${message.peerProfile.filtering}`);
      return;
    case 'introduce-offline':
      log('INTRODUCE_OFFLINE', `request ${message.requestId} of ${who}: target offline`);
      return;
    case 'introduce-refused':
      log('INTRODUCE_REFUSED', `request ${message.requestId} of ${who}: ${message.reason}`);
      return;
    case 'relay-ready':
      log('RELAY', `${who}: relay ${Buffer.from(message.sessionId).toString('hex').slice(0, 8)}… ready`);
      return;
    case 'relay-refused':
      log('RELAY_REFUSED', `${who}: ${message.reason}`);
      return;
    default:
      return;
  }
}
