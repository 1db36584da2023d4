import type { Address } from '../../rendezvous/index.ts';
import { introductionLifetimeMs, introductionsPendingMax, introductionsPendingPerCalleeMax, introductionsPendingPerCallerMax } from '../constants.ts';

/**
 * Live introductions: session id → both sides, kept introductionLifetimeMs so either side can
 * still ask for a relay. The session secret is not kept: the agent hands it out and forgets it.
 */
export interface IntroductionSide {
  readonly walletKeyHex: string;
  address: Address;
}

export interface IntroductionRecord {
  readonly sessionHex: string;
  readonly sessionId: Uint8Array;
  readonly caller: IntroductionSide;
  readonly callee: IntroductionSide & { readonly walletName: string };
  readonly expiresAtMs: number;
}

export interface IntroductionTable {
  readonly bySession: Map<string, IntroductionRecord>;
  readonly perCaller: Map<string, number>;
  readonly perCallee: Map<string, number>;
}

export function createIntroductionTable(): IntroductionTable {
  return { bySession: new Map(), perCaller: new Map(), perCallee: new Map() };
}

/** Whether one more introduction from this caller to this callee fits the pending limits. */
export function introductionFits(table: IntroductionTable, callerKeyHex: string, calleeName: string): boolean {
  return (
    table.bySession.size < introductionsPendingMax &&
    (table.perCaller.get(callerKeyHex) ?? 0) < introductionsPendingPerCallerMax &&
    (table.perCallee.get(calleeName) ?? 0) < introductionsPendingPerCalleeMax
  );
}

export function addIntroduction(
  table: IntroductionTable,
  fields: { sessionId: Uint8Array; sessionHex: string; caller: IntroductionSide; callee: IntroductionSide & { walletName: string } },
  nowMs: number,
): IntroductionRecord {
  const record: IntroductionRecord = { ...fields, expiresAtMs: nowMs + introductionLifetimeMs };
  table.bySession.set(record.sessionHex, record);
  bump(table.perCaller, record.caller.walletKeyHex, 1);
  bump(table.perCallee, record.callee.walletName, 1);
  return record;
}

export function findIntroduction(table: IntroductionTable, sessionHex: string, nowMs: number): IntroductionRecord | undefined {
  const record = table.bySession.get(sessionHex);
  return record === undefined || nowMs >= record.expiresAtMs ? undefined : record;
}

/** Drops expired records; returns how many. */
export function sweepIntroductions(table: IntroductionTable, nowMs: number): number {
  let removed = 0;
  for (const record of [...table.bySession.values()]) {
    if (nowMs < record.expiresAtMs) continue;
    table.bySession.delete(record.sessionHex);
    bump(table.perCaller, record.caller.walletKeyHex, -1);
    bump(table.perCallee, record.callee.walletName, -1);
    removed += 1;
  }
  return removed;
}

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

