import { bytesToHex, equalBytes } from '../../names/index.ts';
import { AgentError } from '../errors.ts';
import { encodeEvent, eventSubjects, type LedgerEvent } from './apply-events.ts';
import type { StateOverlay } from './state-overlay.ts';
import type { NameRecord } from './state-types.ts';
import type { Action } from './tx-types.ts';

/** Where an action is applied: the block height and the transaction carrying it. */
export type ActionContext = { readonly height: number; readonly txHash: Uint8Array; readonly nameLifetimeBlocks: number };

/**
 * Applies one name or agent action to the overlay (tx-rules.ts has already checked its names,
 * keys and endpoint) and returns the key that must sign for it. Actions run in order, so a
 * transaction may register a name and then an agent under it.
 */
export function applyAction(overlay: StateOverlay, action: Action, context: ActionContext, field: string): Uint8Array {
  const { height, txHash } = context;
  const expiresHeight = height + context.nameLifetimeBlocks;
  switch (action.kind) {
    case 'nameRegister': {
      const existing = overlay.name(action.name);
      if (existing !== undefined && isLive(existing, height)) {
        throw new AgentError('LEDGER_NAME_TAKEN', `${field}: ${JSON.stringify(action.name)} is registered until height ${existing.expiresHeight}`);
      }
      overlay.putName({ name: action.name, owner: action.owner, registeredHeight: height, expiresHeight });
      record(overlay, { kind: 'nameRegistered', height, txHash, name: action.name, owner: action.owner, expiresHeight });
      return action.owner;
    }
    case 'nameRenew': {
      const existing = liveName(overlay, action.name, height, field);
      overlay.putName({ ...existing, expiresHeight });
      record(overlay, { kind: 'nameRenewed', height, txHash, name: action.name, owner: existing.owner, expiresHeight });
      return existing.owner;
    }
    case 'nameTransfer': {
      const existing = liveName(overlay, action.name, height, field);
      overlay.putName({ ...existing, owner: action.owner });
      record(overlay, { kind: 'nameTransferred', height, txHash, name: action.name, from: existing.owner, to: action.owner });
      return existing.owner;
    }
    case 'agentRegister': {
      const existing = liveName(overlay, action.name, height, field);
      if (!equalBytes(existing.owner, action.key)) {
        throw new AgentError('LEDGER_NOT_NAME_OWNER', `${field}: ${JSON.stringify(action.name)} is owned by ${bytesToHex(existing.owner)}, not the agent key`);
      }
      overlay.putAgent({ key: action.key, name: action.name, endpoint: action.endpoint, registeredHeight: height });
      record(overlay, { kind: 'agentRegistered', height, txHash, name: action.name, key: action.key, endpoint: action.endpoint });
      return action.key;
    }
  }
}

function isLive(name: NameRecord, height: number): boolean {
  return name.expiresHeight > height;
}

function liveName(overlay: StateOverlay, name: string, height: number, field: string): NameRecord {
  const existing = overlay.name(name);
  if (existing === undefined || !isLive(existing, height)) {
    throw new AgentError('LEDGER_NAME_NOT_FOUND', `${field}: ${JSON.stringify(name)} is not a live name`);
  }
  return existing;
}

/** Appends the event to the log of each subject it concerns. */
export function record(overlay: StateOverlay, event: LedgerEvent): void {
  const bytes = encodeEvent(event);
  for (const subject of eventSubjects(event)) overlay.appendEvent(subject, bytes);
}
