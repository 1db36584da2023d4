/**
 * Public API of agent/. Only pure modules are exported here (ledger types and light-client
 * verification), so the client can import it without pulling in SQLite or sockets; the
 * daemon's I/O shell is reached through agent/cli.ts.
 */
export * from './constants.ts';
export * from './errors.ts';
export * from './merkle/index.ts';
