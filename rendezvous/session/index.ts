/** Public API of rendezvous/session/: encrypted UDP sessions as a pure state machine. */
export { SESSION_PROLOGUE } from './handshake.ts';
export { decodeSessionPacket, sessionPacketBytes, sessionPacketTypes, type SessionPacket, type SessionPacketTypeName } from './packets.ts';
export { ReplayWindow, type ReplayVerdict } from './replay-window.ts';
export { createSessionHost, type SessionHostState } from './state.ts';
export { sessionStep } from './step.ts';
export { encodeTai64n, TIMESTAMP_BYTES } from './timestamp.ts';
export {
  defaultSessionLimits,
  type PeerId,
  type SessionAddress,
  type SessionCloseReason,
  type SessionConfig,
  type SessionEffect,
  type SessionEvent,
  type SessionLimits,
  type SessionStepResult,
} from './types.ts';
