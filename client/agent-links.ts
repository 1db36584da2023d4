import type { Clock, TimerHandle } from '../names/index.ts';
import { encodeMessage, type AgentRef, type RendezvousMessage } from '../rendezvous/index.ts';
import type { Connection, Endpoint } from '../rendezvous/socket/index.ts';
import { resolveAgent, type ResolvedAgent } from './agents.ts';
import { ClientError } from './errors.ts';

/**
 * The wallet's sessions with agents (Noise IK: their static keys come from the agents
 * directory), opened on first use. The session with the home agent starts with `account-login`
 * every time it opens, and when it closes (the agent restarted, a long outage) it is opened
 * again, 1 s later and then backing off to 30 s, so a listening wallet comes back online.
 */
export interface AgentLink {
  readonly agent: ResolvedAgent;
  readonly ref: AgentRef;
  readonly connection: Promise<Connection>;
}

export interface AgentLinksOptions {
  readonly endpoint: Endpoint;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly home: string;
  readonly login: string;
  readonly timeoutMs: number;
  readonly onMessage: (agent: AgentRef, bytes: Uint8Array) => void;
  /** The home session opened again after it closed (the login is on its way). */
  readonly onHomeReopened: (connection: Connection) => void;
  readonly log: (code: string, message: string) => void;
}

const reopenFirstMs = 1_000;
const reopenMaxMs = 30_000;

export class AgentLinks {
  readonly #options: AgentLinksOptions;
  readonly #links = new Map<string, AgentLink>();
  #reopenMs = reopenFirstMs;
  #reopenTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: AgentLinksOptions) {
    this.#options = options;
  }

  get(name: string): AgentLink {
    const existing = this.#links.get(name);
    if (existing !== undefined) return existing;
    const { endpoint, timeoutMs } = this.#options;
    const agent = resolveAgent(this.#options.dataDir, name);
    const ref = { id: agent.name, address: agent.address };
    const connection: Promise<Connection> = endpoint.connect(agent.address, { remoteIdentityKey: agent.identityKey, remoteStaticKey: agent.staticKey, timeoutMs }).then(
      (opened) => {
        opened.onMessage((bytes) => this.#options.onMessage(ref, bytes));
        if (name === this.#options.home) {
          void opened.send(encodeMessage({ type: 'account-login', login: this.#options.login })).catch(() => {});
          this.#reopenMs = reopenFirstMs;
        }
        opened.onClose((reason) => {
          this.#options.log('AGENT_SESSION_CLOSED', `${agent.name}: ${reason}`);
          if (this.#links.get(name)?.connection === connection) this.#links.delete(name);
          if (name === this.#options.home) this.#scheduleReopen();
        });
        return opened;
      },
      (error: unknown) => {
        if (this.#links.get(name)?.connection === connection) this.#links.delete(name);
        throw new ClientError('CLIENT_AGENT_UNREACHABLE', `no session with agent ${agent.name} at ${agent.address}: ${(error as Error).message}`, { cause: error });
      },
    );
    const link = { agent, ref, connection };
    this.#links.set(name, link);
    return link;
  }

  send(agent: AgentRef, message: RendezvousMessage): void {
    this.get(agent.id)
      .connection.then(
        (connection) => connection.send(encodeMessage(message)),
        (error: unknown) => this.#options.log('CLIENT_AGENT_UNREACHABLE', `${message.type} to ${agent.id} dropped: ${(error as Error).message}`),
      )
      .catch((error: unknown) => this.#options.log('CLIENT_SEND_FAILED', `${message.type} to ${agent.id}: ${(error as Error).message}`));
  }

  /** True for an agent's address: a relay's, never a peer's. */
  isAgentAddress(address: string): boolean {
    for (const link of this.#links.values()) if (link.agent.address === address) return true;
    return false;
  }

  close(): void {
    this.#closed = true;
    if (this.#reopenTimer !== undefined) this.#options.clock.clearTimer(this.#reopenTimer);
  }

  #scheduleReopen(): void {
    if (this.#closed || this.#reopenTimer !== undefined) return;
    const delayMs = this.#reopenMs;
    this.#reopenMs = Math.min(reopenMaxMs, this.#reopenMs * 2);
    this.#reopenTimer = this.#options.clock.setTimer(delayMs, () => {
      this.#reopenTimer = undefined;
      if (this.#closed) return;
      this.get(this.#options.home).connection.then(
        (connection) => this.#options.onHomeReopened(connection),
        (error: unknown) => {
          this.#options.log('CLIENT_AGENT_UNREACHABLE', `reopening the home session: ${(error as Error).message}`);
          this.#scheduleReopen();
        },
      );
    });
  }
}
