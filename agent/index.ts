/** Public API of agent/: the chain peer, mail host and rendezvous server. */
export { main as agentMain } from './cli.ts';
