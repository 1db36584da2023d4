import { pathRepunchDelaysMs } from '../constants.ts';
import type { Address, SocketKey, TimerEffect } from './types.ts';

/**
 * The path to one peer, as the session above should use it: `direct` (a punched address on
 * one of our sockets) or `relayed` (through the agent, still end-to-end encrypted), plainly
 * marked so the API and UI can say which. A pure state machine (STYLE 1).
 *
 *   connecting ──punch established──▶ direct ◀──punch established── relayed
 *        │                              │ direct lost                   ▲
 *        └──punch asks for relay──▶ (relay requested) ──relay ready────┘
 *   While relayed, a new punch is asked for after each of pathRepunchDelaysMs; when one
 *   succeeds the path is upgraded to direct and the relay released.
 */
export type PathRoute =
  | { readonly kind: 'direct'; readonly socket: SocketKey; readonly address: Address }
  | { readonly kind: 'relayed'; readonly relayAddress: Address; readonly token: Uint8Array; readonly sessionId: Uint8Array };

export interface PathState {
  kind: 'connecting' | 'direct' | 'relayed' | 'failed';
  route: PathRoute | undefined;
  /** The introduction whose relay we asked for (or hold), if any. */
  relaySessionId: Uint8Array | undefined;
  relayExpiresAtMs: number;
  repunches: number;
  repunchAtMs: number | undefined;
  readonly createdMs: number;
}

export type PathEvent =
  | { readonly kind: 'punch-established'; readonly socket: SocketKey; readonly address: Address }
  | { readonly kind: 'punch-relay'; readonly sessionId: Uint8Array }
  | { readonly kind: 'relay-ready'; readonly sessionId: Uint8Array; readonly relayAddress: Address; readonly token: Uint8Array; readonly expiresInMs: number }
  | { readonly kind: 'relay-refused' }
  /** The session saw nothing on the direct path for its idle time (a NAT rebinding, a route change). */
  | { readonly kind: 'direct-lost' }
  | { readonly kind: 'tick' };

export type PathEffect =
  | TimerEffect
  /** Send relay-allocate for this introduction to the agent that made it. */
  | { readonly kind: 'request-relay'; readonly sessionId: Uint8Array }
  /** Send relay-release: a direct path took over. */
  | { readonly kind: 'release-relay'; readonly sessionId: Uint8Array }
  /** The session must now use this route; `connectMs` counts from the first connect. */
  | { readonly kind: 'use-route'; readonly route: PathRoute; readonly connectMs: number }
  /** Ask the agent for a new introduction and run a new punch (an upgrade attempt). */
  | { readonly kind: 'repunch' }
  | { readonly kind: 'failed'; readonly reason: 'relay-refused' };

export interface PathStep {
  readonly state: PathState;
  readonly effects: PathEffect[];
}

export function startPath(nowMs: number): PathState {
  return { kind: 'connecting', route: undefined, relaySessionId: undefined, relayExpiresAtMs: Infinity, repunches: 0, repunchAtMs: undefined, createdMs: nowMs };
}

export function pathStep(state: PathState, event: PathEvent, nowMs: number): PathStep {
  const effects: PathEffect[] = [];
  switch (event.kind) {
    case 'punch-established': {
      // Already direct on this very route: nothing changes. On another one (the peer punched
      // again after its NAT re-mapped), the new route replaces the old.
      if (state.route?.kind === 'direct' && state.route.socket === event.socket && state.route.address === event.address) break;
      if (state.relaySessionId !== undefined) effects.push({ kind: 'release-relay', sessionId: state.relaySessionId });
      state.relaySessionId = undefined;
      state.relayExpiresAtMs = Infinity;
      state.repunchAtMs = undefined;
      useRoute(state, { kind: 'direct', socket: event.socket, address: event.address }, nowMs, effects);
      break;
    }
    case 'punch-relay':
      if (state.kind === 'direct' || state.relaySessionId !== undefined) break;
      state.relaySessionId = event.sessionId;
      effects.push({ kind: 'request-relay', sessionId: event.sessionId });
      break;
    case 'relay-ready':
      if (state.kind === 'direct') {
        effects.push({ kind: 'release-relay', sessionId: event.sessionId });
        break;
      }
      state.relaySessionId = event.sessionId;
      state.relayExpiresAtMs = nowMs + event.expiresInMs;
      if (state.route?.kind === 'relayed' && sameRelay(state.route, event)) break; // the agent answered both sides' requests
      if (state.kind !== 'relayed') scheduleRepunch(state, nowMs);
      useRoute(state, { kind: 'relayed', relayAddress: event.relayAddress, token: event.token, sessionId: event.sessionId }, nowMs, effects);
      break;
    case 'relay-refused':
      state.relaySessionId = undefined;
      if (state.kind === 'connecting') {
        state.kind = 'failed';
        effects.push({ kind: 'failed', reason: 'relay-refused' });
      }
      break;
    case 'direct-lost':
      if (state.kind !== 'direct') break;
      state.kind = 'connecting';
      state.route = undefined;
      effects.push({ kind: 'repunch' });
      break;
    case 'tick':
      tick(state, nowMs, effects);
      break;
  }
  const wakeMs = Math.min(state.repunchAtMs ?? Infinity, state.kind === 'relayed' ? state.relayExpiresAtMs : Infinity);
  if (Number.isFinite(wakeMs)) effects.push({ kind: 'timer', atMs: Math.max(wakeMs, nowMs) });
  return { state, effects };
}

function tick(state: PathState, nowMs: number, effects: PathEffect[]): void {
  if (state.kind === 'relayed' && nowMs >= state.relayExpiresAtMs) {
    // The relay's time limit is over: a new introduction is needed (punch, or a new relay).
    state.kind = 'connecting';
    state.route = undefined;
    state.relaySessionId = undefined;
    state.relayExpiresAtMs = Infinity;
    state.repunchAtMs = undefined;
    effects.push({ kind: 'repunch' });
    return;
  }
  if (state.repunchAtMs !== undefined && nowMs >= state.repunchAtMs) {
    state.repunches += 1;
    scheduleRepunch(state, nowMs);
    if (state.kind === 'relayed') effects.push({ kind: 'repunch' });
  }
}

function scheduleRepunch(state: PathState, nowMs: number): void {
  const delayMs = pathRepunchDelaysMs[state.repunches];
  state.repunchAtMs = delayMs === undefined ? undefined : nowMs + delayMs;
}

function useRoute(state: PathState, route: PathRoute, nowMs: number, effects: PathEffect[]): void {
  state.kind = route.kind;
  state.route = route;
  effects.push({ kind: 'use-route', route, connectMs: nowMs - state.createdMs });
}

function sameRelay(route: Extract<PathRoute, { kind: 'relayed' }>, event: { relayAddress: Address; token: Uint8Array }): boolean {
  return route.relayAddress === event.relayAddress && route.token.length === event.token.length && route.token.every((byte, index) => byte === event.token[index]);
}
