/** Public API of rendezvous/punch/: NAT classification, hole punching, relay paths (pure; no sockets). */
export { birthdayMissProbability } from './birthday.ts';
export { classificationResult, classifyStep, encodeNatProbe, startClassification } from './classify.ts';
export type { ClassifyEffect, ClassifyEvent, ClassifyInput, ClassifyResult, ClassifyState, ClassifyStep } from './classify.ts';
export { createRendezvousClient, rendezvousClientStep, routeDatagram } from './client.ts';
export { mainSocket } from './client-types.ts';
export type {
  AgentRef,
  ClientRoute,
  PeerEntry,
  RendezvousClientConfig,
  RendezvousClientEffect,
  RendezvousClientEvent,
  RendezvousClientState,
  RendezvousClientStep,
} from './client-types.ts';
export { decodePunchPacket, derivePunchMacKey, encodePunchPacket, isPunchPacket, punchPacketTypes } from './packet.ts';
export type { PunchPacket, PunchPacketKind } from './packet.ts';
export { pathStep, startPath } from './path.ts';
export type { PathEffect, PathEvent, PathRoute, PathState, PathStep } from './path.ts';
export { punchStep, startPunch } from './planner.ts';
export type { PunchEffect, PunchEvent, PunchPhase, PunchState, PunchStep, PunchTarget } from './planner.ts';
export { classifyDatagram, decodeRelayPacket, encodeRelayPacket, relayPacketType } from './relay-packet.ts';
export type { DatagramClass } from './relay-packet.ts';
export { chooseStrategy, isPredictable, isReachable, openerTtl, startDelayMs } from './strategy.ts';
export type { PunchStrategy } from './strategy.ts';
export { unknownProfile } from './types.ts';
export type { Address, Introduction, NatFiltering, NatMapping, NatProfile, SocketIndex, SocketKey } from './types.ts';
