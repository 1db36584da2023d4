/**
 * Public API of agent/chain/: the ledger as consensus's application and the chain service the
 * daemon runs (I/O: SQLite, sessions). Not exported from agent/index.ts, which stays pure.
 */
export { LedgerChainApp, type ChainAppOptions, type FinalizedBlock } from './app.ts';
export { chainBlockHash, chainBlockHashOf, decodeChainBlock, decodeSection, emptySection, encodeChainBlock, encodeSection, joinChainBlock, splitChainBlock, type ChainBlock, type ConsensusSection } from './block.ts';
export { chainFiles, hasChain, loadChain, writeChainFiles, type ChainConfig, type ChainPeer, type LoadedChain } from './config.ts';
export { fastConsensusCrypto, fastIsXOnlyPoint, fastSchnorrSign, fastSchnorrVerify } from './fast-verify.ts';
export { decodeFrame, encodeFrame, isChainFrame, transactionFrames, type ChainFrame } from './frames.ts';
export { buildGenesis, devnetParameters, devnetStanding, devnetTiming, faucetCoins, type GenesisAgent, type GenesisOptions } from './genesis.ts';
export { ChainMempool, witnessKey, type PooledTransaction } from './mempool.ts';
export { PeerLinks, type PeerLinksOptions } from './peers.ts';
export { startChainService, writeGenesisIfNew, type ChainService, type ChainServiceOptions } from './service.ts';
export { ChainStore, type BlockCommit, type ChainRow } from './store.ts';
