import { bytesToHex, generateIdentityKeyPair, hexToBytes, randomBytes, schnorrPublicKey, systemClock, systemRng } from '../../names/index.ts';
import { formatAddress, openUdpTransport } from '../../rendezvous/net/index.ts';
import { createEndpoint, type Connection, type Endpoint } from '../../rendezvous/socket/index.ts';
import { decodeChainBlock } from '../chain/block.ts';
import { loadChain } from '../chain/config.ts';
import { fastSchnorrSign } from '../chain/fast-verify.ts';
import { decodeFrame, isChainFrame, transactionFrames, encodeFrame } from '../chain/frames.ts';
import { chainParametersHash, type ChainParameters } from '../ledger/block-params.ts';
import { encodeTransaction, encodeUnsignedTransaction } from '../ledger/tx-codec.ts';
import { signatureMessage, transactionHash } from '../ledger/tx-hash.ts';
import type { Transaction, UnsignedTransaction } from '../ledger/tx-types.ts';
import type { Devnet } from './create.ts';

/**
 * A transaction load for a devnet (`parley-agent load`, the real-process test, the benchmark).
 * Every faucet coin of genesis is a lane: the lane pays its coin to the same key (one input, one
 * output, the minimum fee) and waits until a subscribed agent reports the transaction final
 * before spending the new coin. A lane whose transaction is not final within `resendMs` sends
 * the same bytes to another agent (the first may have been killed before gossiping it). The
 * client subscribes to every agent's finalized blocks, so one agent going down loses nothing.
 */

/** An agent that sent nothing (it reports every finalized block) for this long is treated as down: a few slow blocks under saturation. */
const silenceMs = 10_000;

type Lane = {
  readonly secretKey: Uint8Array;
  readonly key: Uint8Array;
  coin: { txHash: Uint8Array; index: number; amount: bigint; host: Uint8Array };
  pending: { bytes: Uint8Array; txHashHex: string; next: Lane['coin']; sentAtMs: number; lastSentMs: number; sends: number } | null;
};

export type LoadStats = {
  submitted: number;
  resent: number;
  refused: number;
  finalized: number;
  /** Submit → first finalized notification, ms, in order of finalization. */
  readonly latenciesMs: number[];
  /** Hash (hex) → height, of every transaction this client saw finalized. */
  readonly finalizedAt: Map<string, number>;
  /** Finalized transactions per height (first report). */
  readonly heights: Map<number, number>;
};

export type LoadOptions = {
  /** Default 4 s: a few block intervals. */
  readonly resendMs?: number;
  /** Transactions waiting to be final at most (default: every lane). */
  readonly inFlightMax?: number;
  readonly log?: (line: string) => void;
};

export class LoadClient {
  readonly stats: LoadStats = { submitted: 0, resent: 0, refused: 0, finalized: 0, latenciesMs: [], finalizedAt: new Map(), heights: new Map() };
  readonly #devnet: Devnet;
  readonly #params: ChainParameters;
  readonly #parametersHash: Uint8Array;
  readonly #endpoint: Endpoint;
  readonly #lanes: Lane[];
  readonly #idle: Lane[];
  readonly #pending = new Map<string, Lane>();
  readonly #connections = new Map<number, Connection>();
  readonly #options: LoadOptions;
  #next = 0;
  #closed = false;
  #stopped = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(devnet: Devnet, params: ChainParameters, endpoint: Endpoint, lanes: Lane[], options: LoadOptions) {
    this.#devnet = devnet;
    this.#params = params;
    this.#parametersHash = chainParametersHash(params);
    this.#endpoint = endpoint;
    this.#lanes = lanes;
    this.#idle = [...lanes];
    this.#options = options;
  }

  static async open(devnet: Devnet, options: LoadOptions = {}): Promise<LoadClient> {
    const chain = loadChain(devnet.agents[0]!.dataDir);
    const genesis = decodeChainBlock(chain.genesisBlock);
    const byKey = new Map(devnet.faucetSecretKeys.map((secretKey) => [bytesToHex(schnorrPublicKey(secretKey)), secretKey]));
    const lanes: Lane[] = [];
    for (const transaction of genesis.ledger.transactions) {
      const txHash = transactionHash(transaction);
      transaction.outputs.forEach((output, index) => {
        const secretKey = byKey.get(bytesToHex(output.key));
        if (secretKey !== undefined) lanes.push({ secretKey, key: output.key, coin: { txHash, index, amount: output.amount, host: output.host }, pending: null });
      });
    }
    const transport = await openUdpTransport({ host: '127.0.0.1', port: 0, bufferBytes: 4 * 1024 * 1024 });
    const identity = generateIdentityKeyPair();
    const endpoint = createEndpoint({ transport, clock: systemClock, rng: systemRng, identity });
    const client = new LoadClient(devnet, chain.parameters, endpoint, lanes, options);
    client.#timer = setInterval(() => client.#maintain(), 250);
    client.#maintain();
    return client;
  }

  get lanes(): number {
    return this.#lanes.length;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  connectedAgents(): number {
    return this.#connections.size;
  }

  /** Sends up to `count` new transactions now (fewer when every lane is waiting). */
  submit(count: number): number {
    const batches = new Map<number, Uint8Array[]>();
    let sent = 0;
    const now = performance.now();
    const room = (this.#options.inFlightMax ?? Number.POSITIVE_INFINITY) - this.#pending.size;
    for (; sent < Math.min(count, room); sent++) {
      const lane = this.#idle.pop();
      if (lane === undefined) break;
      const agent = this.#pickAgent();
      if (agent === undefined) {
        this.#idle.push(lane);
        break;
      }
      const built = this.#build(lane);
      lane.pending = { ...built, sentAtMs: now, lastSentMs: now, sends: 1 };
      this.#pending.set(built.txHashHex, lane);
      (batches.get(agent) ?? batches.set(agent, []).get(agent)!).push(built.bytes);
    }
    for (const [agent, transactions] of batches) this.#sendTo(agent, transactions);
    this.stats.submitted += sent;
    return sent;
  }

  /** Submits at `ratePerSecond` for `durationMs` (or until `stop` is called). */
  async run(ratePerSecond: number, durationMs: number): Promise<void> {
    const started = performance.now();
    let owed = 0;
    let last = started;
    this.#stopped = false;
    while (!this.#closed && !this.#stopped && performance.now() - started < durationMs) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const now = performance.now();
      owed += ((now - last) * ratePerSecond) / 1000;
      last = now;
      const whole = Math.floor(owed);
      if (whole > 0) {
        const sent = this.submit(whole);
        owed = Math.min(owed - sent, ratePerSecond); // lanes all busy: do not build up an unbounded debt
      }
    }
  }

  /** Ends `run` (submitted transactions are still followed and resent until `close`). */
  stop(): void {
    this.#stopped = true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#endpoint.close();
  }

  #build(lane: Lane): { bytes: Uint8Array; txHashHex: string; next: Lane['coin'] } {
    const unsigned: UnsignedTransaction = {
      version: 1,
      inputs: [{ txHash: lane.coin.txHash, index: lane.coin.index }],
      outputs: [{ amount: 0n, key: lane.key, host: lane.coin.host }],
      fee: 0n,
      commitment: null,
      actions: [],
    };
    const size = encodeUnsignedTransaction(unsigned).length + 1 + 64;
    const fee = this.#params.feePerByteMin * BigInt(size);
    const paid: UnsignedTransaction = { ...unsigned, fee, outputs: [{ amount: lane.coin.amount - fee, key: lane.key, host: lane.coin.host }] };
    const txHash = transactionHash(paid);
    const signature = fastSchnorrSign(signatureMessage(this.#parametersHash, txHash), lane.secretKey, randomBytes(32));
    const tx: Transaction = { ...paid, signatures: [signature] };
    return { bytes: encodeTransaction(tx), txHashHex: bytesToHex(txHash), next: { txHash, index: 0, amount: lane.coin.amount - fee, host: lane.coin.host } };
  }

  #pickAgent(): number | undefined {
    const connected = [...this.#connections.keys()];
    if (connected.length === 0) return undefined;
    return connected[this.#next++ % connected.length];
  }

  #sendTo(agent: number, transactions: Uint8Array[]): void {
    const connection = this.#connections.get(agent);
    if (connection === undefined) return;
    for (const frame of transactionFrames(transactions)) connection.send(frame).catch(() => undefined);
  }

  #onFrame(bytes: Uint8Array): void {
    if (!isChainFrame(bytes)) return;
    const frame = decodeFrame(bytes);
    if (frame.kind === 'refused') {
      this.stats.refused++;
      return;
    }
    if (frame.kind !== 'finalized') return;
    const now = performance.now();
    for (const hash of frame.transactionHashes) {
      const hex = bytesToHex(hash);
      if (this.stats.finalizedAt.has(hex)) continue;
      this.stats.finalizedAt.set(hex, frame.height);
      this.stats.heights.set(frame.height, (this.stats.heights.get(frame.height) ?? 0) + 1);
      const lane = this.#pending.get(hex);
      if (lane === undefined || lane.pending === null) continue;
      this.#pending.delete(hex);
      this.stats.finalized++;
      this.stats.latenciesMs.push(now - lane.pending.sentAtMs);
      lane.coin = lane.pending.next;
      lane.pending = null;
      if (lane.coin.amount > this.#params.outputAmountMin + 10_000n) this.#idle.push(lane);
    }
  }

  /** Connects to agents that have no session, and resends transactions that are late. */
  #maintain(): void {
    if (this.#closed) return;
    const now = performance.now();
    this.#devnet.agents.forEach((_, index) => {
      const connection = this.#connections.get(index);
      // Subscribed agents report a block every interval: a silent one was killed (its session lingers).
      if (connection !== undefined && now - (this.#heard.get(index) ?? now) > silenceMs) {
        this.#connections.delete(index);
        void connection.close();
      }
      if (!this.#connections.has(index)) this.#dial(index);
    });
    const resendMs = this.#options.resendMs ?? 4_000;
    const late = new Map<number, Uint8Array[]>();
    for (const lane of this.#pending.values()) {
      const pending = lane.pending!;
      if (now - pending.lastSentMs < resendMs) continue;
      const agent = this.#pickAgent();
      if (agent === undefined) break;
      pending.lastSentMs = now;
      pending.sends++;
      this.stats.resent++;
      (late.get(agent) ?? late.set(agent, []).get(agent)!).push(pending.bytes);
    }
    for (const [agent, transactions] of late) this.#sendTo(agent, transactions);
  }

  readonly #dialling = new Set<number>();
  readonly #heard = new Map<number, number>();

  #dial(index: number): void {
    if (this.#dialling.has(index) || this.#closed) return;
    this.#dialling.add(index);
    const agent = this.#devnet.agents[index]!;
    this.#endpoint
      .connect(formatAddress(agent.host, agent.port), { remoteIdentityKey: hexToBytes(agent.identityKey), remoteStaticKey: hexToBytes(agent.staticKey), timeoutMs: 1_000 })
      .then((connection) => {
        this.#dialling.delete(index);
        if (this.#closed) return;
        this.#connections.set(index, connection);
        this.#heard.set(index, performance.now());
        connection.onMessage((bytes) => {
          this.#heard.set(index, performance.now());
          this.#onFrame(bytes);
        });
        connection.onClose(() => {
          if (this.#connections.get(index) === connection) this.#connections.delete(index);
        });
        connection.send(encodeFrame({ kind: 'subscribe' })).catch(() => undefined);
        this.#options.log?.(`load: connected to ${agent.name}`);
      })
      .catch(() => this.#dialling.delete(index));
  }
}
