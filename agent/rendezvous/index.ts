/** Public API of agent/rendezvous/: presence, introductions, NAT-probe answers and relays (pure). */
export { agentEndpoints, answerNatProbe, replyEndpoint, type AgentEndpointName, type AgentEndpoints, type NatProbeAnswer } from './nat-probe.ts';
export { createPresenceTable, presenceLogin, presenceLogout, presenceLookup, presenceSeen, presenceSweep, type PresenceEntry, type PresenceTable } from './presence.ts';
export { allocateRelay, createRelayTable, forwardRelay, releaseRelay, releaseRelaysOf, sweepRelays, updateRelayAddress, type Relay, type RelayTable } from './relay-table.ts';
export {
  createRendezvousAgent,
  rendezvousAgentStep,
  type RendezvousAgentConfig,
  type RendezvousAgentEffect,
  type RendezvousAgentEvent,
  type RendezvousAgentState,
  type WalletIdentity,
} from './service.ts';
export { fullBucket, KeyedBuckets, sourceHost, takeTokens, type BucketLimits, type TokenBucket } from './token-bucket.ts';
