import assert from 'node:assert/strict';
import { bytesToHex, type Clock, type Rng } from '../../names/index.ts';
import type { Connection, Endpoint } from '../../rendezvous/socket/index.ts';
import { chainSubscribersMax } from '../constants.ts';
import { ConsensusNode, emptyStanding, genesisSeed, GuardedSigner } from '../consensus/index.ts';
import { AgentError } from '../errors.ts';
import { applyBlock } from '../ledger/apply-block.ts';
import { decodeTransaction } from '../ledger/tx-codec.ts';
import { transactionHash } from '../ledger/tx-hash.ts';
import { LedgerChainApp, type FinalizedBlock } from './app.ts';
import { chainBlockHash, decodeChainBlock, splitChainBlock } from './block.ts';
import { loadChain, type LoadedChain } from './config.ts';
import { fastConsensusCrypto } from './fast-verify.ts';
import { decodeFrame, encodeFrame, isChainFrame, transactionFrames } from './frames.ts';
import { ChainMempool, witnessKey } from './mempool.ts';
import { PeerLinks } from './peers.ts';
import { ChainStore } from './store.ts';

/**
 * The chain service inside `parley-agent run` (the I/O shell around consensus and the ledger):
 * opens the ledger file, writes genesis on first start, runs a ConsensusNode on the real clock
 * with the ledger as its application, carries consensus messages and transaction gossip over
 * encrypted sessions to the other agents (peers.ts), and serves chain clients: transactions
 * submitted, finalized blocks pushed to subscribers. Bad frames are logged and dropped.
 */

export type ChainServiceOptions = {
  readonly dataDir: string;
  readonly endpoint: Endpoint;
  readonly identity: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: (code: string, message: string) => void;
};

export interface ChainService {
  readonly chain: LoadedChain;
  /** An inbound session from another agent of the chain: the service takes it. */
  adopt(connection: Connection): boolean;
  /** A chain frame on a wallet or client session. */
  fromClient(connection: Connection, bytes: Uint8Array): void;
  height(): number;
  close(): void;
}

export { isChainFrame };

export function startChainService(options: ChainServiceOptions): ChainService {
  const { clock, log, identity } = options;
  const chain = loadChain(options.dataDir);
  const store = ChainStore.open(chain.ledgerPath, chain.parameters);
  try {
    writeGenesisIfNew(store, chain);
  } catch (error) {
    store.close();
    throw error;
  }
  const crypto = fastConsensusCrypto(options.rng);
  const mempool = new ChainMempool(store.ledger);
  const subscribers = new Set<Connection>();
  const selfHex = bytesToHex(identity.publicKey);

  const finalized = (block: FinalizedBlock): void => {
    const hashes = block.block.ledger.transactions.map((transaction) => transactionHash(transaction));
    log('CHAIN_FINAL', `height=${block.height} hash=${bytesToHex(block.blockHash).slice(0, 16)} txs=${hashes.length} round=${block.round} pool=${mempool.size}`);
    if (subscribers.size === 0) return;
    const frame = encodeFrame({ kind: 'finalized', height: block.height, blockHash: block.blockHash, timeMs: block.timeMs, round: block.round, transactionHashes: hashes });
    for (const subscriber of subscribers) subscriber.send(frame).catch(() => subscribers.delete(subscriber));
  };
  const app = new LedgerChainApp({ store, standing: chain.standing, crypto, mempool, clock, finalized });

  const links = new PeerLinks({
    endpoint: options.endpoint,
    clock,
    peers: chain.peers.filter((peer) => bytesToHex(peer.identityKey) !== selfHex),
    log,
    onMessage: (peerHex, bytes) => fromPeer(peerHex, bytes),
  });
  const consensusFrame = (message: Uint8Array): Uint8Array => encodeFrame({ kind: 'consensus', message });
  const signer = new GuardedSigner({ secretKey: identity.secretKey, crypto, store: store.guardStore(), chainId: chain.chainId });
  const node = new ConsensusNode({
    chainId: chain.chainId,
    params: chain.consensus,
    crypto,
    signer,
    app,
    clock,
    transport: { broadcast: (message) => links.broadcast(consensusFrame(message)), send: (to, message) => links.send(to, consensusFrame(message)) },
    observer: {
      evidence: (evidence) => log('CHAIN_EVIDENCE', `against ${bytesToHex(evidence.first.voter).slice(0, 16)} at height ${evidence.first.height}`),
      fork: (report) => log('CHAIN_FORK', `height ${report.height}: a conflicting certificate; signing stopped`),
    },
  });

  // Transaction gossip: what a client handed this agent goes to every peer once per event-loop
  // turn. Transactions from peers are not relayed: the agents form a full mesh, so the first
  // agent's broadcast already reached every peer it has a link to, and relaying made every agent
  // send and receive every transaction three times over (docs/DECISIONS.md "Chain service").
  let gossip: Uint8Array[] = [];
  let gossipScheduled = false;
  const admit = (transaction: Uint8Array, client?: Connection): void => {
    // A repeat (a client's resend that reached us twice) costs one hash, not an error object.
    if (mempool.has(bytesToHex(witnessKey(transaction)))) return;
    const result = mempool.add(transaction);
    if (result.ok) {
      if (client === undefined) return;
      gossip.push(transaction);
      if (!gossipScheduled) {
        gossipScheduled = true;
        setImmediate(flushGossip);
      }
      return;
    }
    if (client === undefined || result.error.code === 'CONSENSUS_MEMPOOL_DUPLICATE') return;
    let hash = witnessKey(transaction);
    try {
      hash = transactionHash(decodeTransaction(transaction));
    } catch {
      // not a transaction at all: name it by its witness hash
    }
    client.send(encodeFrame({ kind: 'refused', transactionHash: hash, reason: `${result.error.code}: ${result.error.message}` })).catch(() => undefined);
  };
  const flushGossip = (): void => {
    gossipScheduled = false;
    const batch = gossip;
    gossip = [];
    for (const frame of transactionFrames(batch)) links.broadcast(frame);
  };

  const fromPeer = (peerHex: string, bytes: Uint8Array): void => {
    if (closed) return;
    if (!isChainFrame(bytes)) return log('CHAIN_BAD_FRAME', `from peer ${peerHex.slice(0, 16)}: not a chain frame`);
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      if (error instanceof AgentError) return log(error.code, `from peer ${peerHex.slice(0, 16)}: ${error.message}`);
      throw error;
    }
    if (frame.kind === 'consensus') return node.receive(peerHex, frame.message);
    if (frame.kind === 'transactions') for (const transaction of frame.transactions) admit(transaction);
  };

  const fromClient = (connection: Connection, bytes: Uint8Array): void => {
    if (closed) return;
    let frame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      if (error instanceof AgentError) return log(error.code, `from client ${connection.peerIdentityKeyHex.slice(0, 16)}: ${error.message}`);
      throw error;
    }
    switch (frame.kind) {
      case 'transactions':
        for (const transaction of frame.transactions) admit(transaction, connection);
        return;
      case 'subscribe':
        if (subscribers.size >= chainSubscribersMax) return log('CHAIN_SUBSCRIBERS_FULL', `client ${connection.peerIdentityKeyHex.slice(0, 16)} not subscribed`);
        subscribers.add(connection);
        connection.onClose(() => subscribers.delete(connection));
        return;
      default:
        return log('CHAIN_BAD_FRAME', `from client ${connection.peerIdentityKeyHex.slice(0, 16)}: ${frame.kind} is not a client request`);
    }
  };

  let closed = false;
  node.start();
  links.start();
  log('CHAIN_READY', `chain ${bytesToHex(chain.chainId).slice(0, 16)} at height ${app.tip().height}, ${chain.peers.length} agents, block interval ${chain.consensus.blockIntervalMs} ms`);
  return {
    chain,
    adopt: (connection) => links.adopt(connection),
    fromClient,
    height: () => app.tip().height,
    close() {
      if (closed) return;
      closed = true;
      node.stop();
      links.close();
      store.close();
    },
  };
}

/** First start: the genesis block of chain.json, with its chain row. Later starts: the file must hold that same genesis. */
export function writeGenesisIfNew(store: ChainStore, chain: LoadedChain): void {
  const genesisHash = chainBlockHash(chain.genesisBlock);
  if (genesisHash === null) throw new AgentError('CHAIN_BAD_CONFIG', 'genesis.block is not a chain block');
  if (store.ledger.tip() !== null) {
    const row = store.row(0);
    if (row === undefined || bytesToHex(row.hash) !== bytesToHex(genesisHash)) throw new AgentError('CHAIN_BAD_CONFIG', 'the ledger file holds another genesis than genesis.block');
    return;
  }
  const block = decodeChainBlock(chain.genesisBlock);
  const result = applyBlock(store.ledger, block.ledger);
  if (!result.ok) throw new AgentError('CHAIN_BAD_CONFIG', `genesis.block does not apply: ${result.error.code}: ${result.error.message}`);
  const sectionBytes = splitChainBlock(chain.genesisBlock)!.sectionBytes;
  store.commit({
    changes: result.changes,
    row: { height: 0, hash: genesisHash, section: sectionBytes, certificate: null, seed: null, nextSeed: genesisSeed(chain.chainId), peerSet: null },
    standing: emptyStanding,
  });
  assert.equal(store.ledger.tip()?.header.height, 0, 'chain: genesis committed');
}
