import { bytesToHex, type Rng } from '../../names/index.ts';
import { natClassifyDeadlineMs, natFilteringWaitMs, natProbeAttempts, natProbeNonceBytes, natProbeRequestBytes, natProbeRetryMs, punchNormalTtl } from '../constants.ts';
import { encodeWith } from '../wire/encode.ts';
import { rendezvousRegistry, type NatProbeReplyFrom, type RendezvousMessageOf } from '../wire/messages-rendezvous.ts';
import { isAddress } from '../net/transport.ts';
import type { Address, LogEffect, NatProfile, SendEffect, TimerEffect } from './types.ts';

/**
 * NAT classification against one agent (RFC 4787 behaviours, RFC 5780-style tests), a pure
 * state machine over the main socket. The agent answers `nat-probe` from the endpoint the
 * probe asks for: the one probed ('same'), its other port, or its other address and port.
 *
 * Phase 1, all to the agent's primary endpoint A1:P1:
 *   - 'same'               → X1, the mapping towards A1:P1
 *   - 'other-address-port' → arrives only through endpoint-independent filtering
 *   - 'other-port'         → arrives through address-dependent filtering too
 * Phase 2, only after phase 1 (a probe to A2 would open an address-dependent filter for A2):
 *   - 'same' to A2:P1      → X2; X1 = X2 is endpoint-independent mapping, else dependent.
 * X1 equal to the socket's own address means no NAT at all (mapping `none`).
 *
 * The filtering answers are never sent *to* later: on a Linux NAT without an INPUT firewall
 * a dropped answer leaves a conntrack entry, and a later flow to that endpoint would be
 * re-mapped to a new port and misread as endpoint-dependent mapping (DESIGN.md).
 */
export interface ClassifyInput {
  /** The agent's primary endpoint, A1:P1 (the one its session runs on). */
  readonly primary: Address;
  /** The agent's other address, A2:P1 (presence-ok `probeAddress`); without it the mapping stays unknown. */
  readonly probeAddress: Address | undefined;
  /** The main socket's own addresses (interface address + bound port), to recognise "no NAT". */
  readonly localAddresses: readonly Address[];
  readonly rng: Rng;
}

type Purpose = 'mapping-primary' | 'filter-address-port' | 'filter-port' | 'mapping-other';

interface Probe {
  readonly purpose: Purpose;
  readonly to: Address;
  readonly replyFrom: NatProbeReplyFrom;
  readonly bytes: Uint8Array;
  attempts: number;
  nextSendMs: number;
  observed: Address | undefined;
}

export interface ClassifyState {
  readonly input: ClassifyInput;
  readonly startedMs: number;
  phase: 'filtering' | 'mapping' | 'done';
  /** By nonce (hex). */
  readonly probes: Map<string, Probe>;
  mappingReplyMs: number | undefined;
  result: ClassifyResult | undefined;
}

export interface ClassifyResult {
  readonly profile: NatProfile;
  /** X1: the main socket's mapping as the agent sees it; undefined when the agent never answered. */
  readonly observed: Address | undefined;
}

export type ClassifyEvent = { readonly kind: 'reply'; readonly message: RendezvousMessageOf<'nat-probe-reply'> } | { readonly kind: 'tick' };

export type ClassifyEffect = SendEffect | TimerEffect | LogEffect | { readonly kind: 'classified'; readonly result: ClassifyResult };

export interface ClassifyStep {
  readonly state: ClassifyState;
  readonly effects: ClassifyEffect[];
}

export function startClassification(input: ClassifyInput, nowMs: number): ClassifyStep {
  const state: ClassifyState = { input, startedMs: nowMs, phase: 'filtering', probes: new Map(), mappingReplyMs: undefined, result: undefined };
  addProbe(state, 'mapping-primary', input.primary, 'same', nowMs);
  addProbe(state, 'filter-address-port', input.primary, 'other-address-port', nowMs);
  addProbe(state, 'filter-port', input.primary, 'other-port', nowMs);
  return advance(state, nowMs, []);
}

export function classifyStep(state: ClassifyState, event: ClassifyEvent, nowMs: number): ClassifyStep {
  const effects: ClassifyEffect[] = [];
  if (event.kind === 'reply' && state.phase !== 'done') {
    const probe = state.probes.get(bytesToHex(event.message.nonce));
    if (probe === undefined || probe.replyFrom !== event.message.replyFrom) {
      effects.push({ kind: 'log', code: 'NAT_PROBE_UNEXPECTED', message: 'nat-probe-reply for no probe of ours' });
    } else if (!isAddress(event.message.observed)) {
      effects.push({ kind: 'log', code: 'NAT_PROBE_BAD_REPLY', message: `nat-probe-reply: bad observed address ${JSON.stringify(event.message.observed)}` });
    } else if (probe.observed === undefined) {
      probe.observed = event.message.observed;
      if (probe.purpose === 'mapping-primary') state.mappingReplyMs = nowMs;
    }
  }
  return advance(state, nowMs, effects);
}

/** Moves through the phases, sends due (re)transmissions and arms the next timer. */
function advance(state: ClassifyState, nowMs: number, effects: ClassifyEffect[]): ClassifyStep {
  if (state.phase === 'done') return { state, effects };
  if (nowMs >= state.startedMs + natClassifyDeadlineMs) return finish(state, effects);
  if (state.phase === 'filtering' && filteringSettled(state, nowMs)) {
    const primary = probeFor(state, 'mapping-primary');
    if (primary?.observed === undefined) return finish(state, effects); // the agent never answered
    if (state.input.probeAddress === undefined || state.input.localAddresses.includes(primary.observed)) return finish(state, effects);
    state.phase = 'mapping';
    addProbe(state, 'mapping-other', state.input.probeAddress, 'same', nowMs);
  }
  if (state.phase === 'mapping') {
    const other = probeFor(state, 'mapping-other');
    if (other !== undefined && (other.observed !== undefined || (other.attempts >= natProbeAttempts && nowMs >= other.nextSendMs))) return finish(state, effects);
  }
  let nextMs = state.startedMs + natClassifyDeadlineMs;
  for (const probe of state.probes.values()) {
    if (!isActive(state, probe)) continue;
    if (probe.nextSendMs <= nowMs && probe.attempts < natProbeAttempts) {
      effects.push({ kind: 'send', socket: 0, to: probe.to, bytes: probe.bytes, ttl: punchNormalTtl });
      probe.attempts += 1;
      probe.nextSendMs = nowMs + natProbeRetryMs;
    }
    nextMs = Math.min(nextMs, probe.nextSendMs);
  }
  if (state.phase === 'filtering' && state.mappingReplyMs !== undefined) nextMs = Math.min(nextMs, state.mappingReplyMs + natFilteringWaitMs);
  effects.push({ kind: 'timer', atMs: Math.max(nextMs, nowMs + 1) });
  return { state, effects };
}

/** Phase 1 is over when X1 is known and both filter answers came or their wait ran out. */
function filteringSettled(state: ClassifyState, nowMs: number): boolean {
  const primary = probeFor(state, 'mapping-primary');
  if (primary === undefined) return true;
  if (primary.observed === undefined) return primary.attempts >= natProbeAttempts && nowMs >= primary.nextSendMs;
  const filtersAnswered = probeFor(state, 'filter-address-port')?.observed !== undefined && probeFor(state, 'filter-port')?.observed !== undefined;
  return filtersAnswered || nowMs >= (state.mappingReplyMs ?? nowMs) + natFilteringWaitMs;
}

function isActive(state: ClassifyState, probe: Probe): boolean {
  if (probe.observed !== undefined) return false;
  return state.phase === 'filtering' ? probe.purpose !== 'mapping-other' : probe.purpose === 'mapping-other';
}

function finish(state: ClassifyState, effects: ClassifyEffect[]): ClassifyStep {
  const result = classificationResult(state);
  state.phase = 'done';
  state.result = result;
  effects.push({ kind: 'classified', result });
  return { state, effects };
}

/** The profile the observations support; anything not observed stays `unknown`. */
export function classificationResult(state: ClassifyState): ClassifyResult {
  const observed = probeFor(state, 'mapping-primary')?.observed;
  if (observed === undefined) return { profile: { mapping: 'unknown', filtering: 'unknown' }, observed };
  const filtering =
    probeFor(state, 'filter-address-port')?.observed !== undefined
      ? 'endpoint-independent'
      : probeFor(state, 'filter-port')?.observed !== undefined
        ? 'address-dependent'
        : 'address-port-dependent';
  if (state.input.localAddresses.includes(observed)) return { profile: { mapping: 'none', filtering }, observed };
  const other = probeFor(state, 'mapping-other')?.observed;
  const mapping = other === undefined ? 'unknown' : other === observed ? 'endpoint-independent' : 'endpoint-dependent';
  return { profile: { mapping, filtering }, observed };
}

function addProbe(state: ClassifyState, purpose: Purpose, to: Address, replyFrom: NatProbeReplyFrom, nowMs: number): void {
  const nonce = state.input.rng.bytes(natProbeNonceBytes);
  state.probes.set(bytesToHex(nonce), { purpose, to, replyFrom, bytes: encodeNatProbe(nonce, replyFrom), attempts: 0, nextSendMs: nowMs, observed: undefined });
}

function probeFor(state: ClassifyState, purpose: Purpose): Probe | undefined {
  for (const probe of state.probes.values()) if (probe.purpose === purpose) return probe;
  return undefined;
}

/** A nat-probe padded to exactly natProbeRequestBytes, so the answer is never larger. */
export function encodeNatProbe(nonce: Uint8Array, replyFrom: NatProbeReplyFrom): Uint8Array {
  const bare = encodeWith(rendezvousRegistry, { type: 'nat-probe', nonce, replyFrom, padding: new Uint8Array(0) });
  return encodeWith(rendezvousRegistry, { type: 'nat-probe', nonce, replyFrom, padding: new Uint8Array(natProbeRequestBytes - bare.length) });
}
