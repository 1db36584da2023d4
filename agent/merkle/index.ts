/**
 * Public API of agent/merkle/: the Merkle structures the chain commits and their light-client
 * verification. Pure: no SQLite, no sockets (stores are interfaces with in-memory versions).
 */
export * from './hash.ts';
export * from './ledger-values.ts';
export * from './log-codec.ts';
export * from './log-frontier.ts';
export * from './log-store.ts';
export * from './log-subtree-verify.ts';
export * from './log-verify.ts';
export * from './log.ts';
export * from './sparse-codec.ts';
export * from './sparse-node.ts';
export * from './sparse-tree.ts';
export * from './sparse-verify.ts';
export * from './sparse.ts';
export * from './verify.ts';
