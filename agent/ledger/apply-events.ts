import { keyEventsKeyForName, keyEventsKeyForPublicKey } from '../merkle/index.ts';
import { ByteWriter } from './tx-bytes.ts';
import { writeEndpoint } from './tx-codec.ts';
import type { Endpoint, Outpoint } from './tx-types.ts';

/**
 * Events: what happened to one key or one name, in chain order. Each subject has its own
 * RFC 9162 log of event records; the event tree maps the subject's hash to (count, log root),
 * so a wallet given the events of its key can check it was given all of them
 * (docs/PROTOCOL.md "Ledger", events).
 */
export type LedgerEvent =
  /** Subject: the output's key. */
  | {
      readonly kind: 'outputCreated';
      readonly height: number;
      readonly txHash: Uint8Array;
      readonly key: Uint8Array;
      readonly index: number;
      readonly amount: bigint;
      readonly host: Uint8Array;
    }
  /** Subject: the spent output's key. `txHash` is the spending transaction. */
  | { readonly kind: 'outputSpent'; readonly height: number; readonly txHash: Uint8Array; readonly key: Uint8Array; readonly outpoint: Outpoint }
  /** Subjects: the name and its owner. */
  | { readonly kind: 'nameRegistered'; readonly height: number; readonly txHash: Uint8Array; readonly name: string; readonly owner: Uint8Array; readonly expiresHeight: number }
  | { readonly kind: 'nameRenewed'; readonly height: number; readonly txHash: Uint8Array; readonly name: string; readonly owner: Uint8Array; readonly expiresHeight: number }
  /** Subjects: the name, the old owner and the new one. */
  | { readonly kind: 'nameTransferred'; readonly height: number; readonly txHash: Uint8Array; readonly name: string; readonly from: Uint8Array; readonly to: Uint8Array }
  /** Subjects: the name and the agent key. */
  | { readonly kind: 'agentRegistered'; readonly height: number; readonly txHash: Uint8Array; readonly name: string; readonly key: Uint8Array; readonly endpoint: Endpoint };

const eventTags = { outputCreated: 1, outputSpent: 2, nameRegistered: 3, nameRenewed: 4, nameTransferred: 5, agentRegistered: 6 } as const;

/** The event-tree key of a BIP340 key (merkle/ledger-values.ts defines the tree's keys). */
export const keySubject = keyEventsKeyForPublicKey;

/** The event-tree key of a global name (its exact UTF-8 bytes). */
export const nameSubject = keyEventsKeyForName;

/** The subjects an event belongs to, each once. */
export function eventSubjects(event: LedgerEvent): Uint8Array[] {
  switch (event.kind) {
    case 'outputCreated':
    case 'outputSpent':
      return [keySubject(event.key)];
    case 'nameRegistered':
    case 'nameRenewed':
      return [nameSubject(event.name), keySubject(event.owner)];
    case 'nameTransferred':
      return [nameSubject(event.name), keySubject(event.from), ...(sameBytes(event.from, event.to) ? [] : [keySubject(event.to)])];
    case 'agentRegistered':
      return [nameSubject(event.name), keySubject(event.key)];
  }
}

/** The canonical event record: kind u8 ‖ height u64 ‖ txHash[32] ‖ fields of the kind. */
export function encodeEvent(event: LedgerEvent): Uint8Array {
  const writer = new ByteWriter().u8(eventTags[event.kind]).u64(BigInt(event.height)).bytes(event.txHash);
  const name = (text: string): ByteWriter => writer.bytes8(new TextEncoder().encode(text));
  switch (event.kind) {
    case 'outputCreated':
      writer.bytes(event.key).u16(event.index).u64(event.amount).bytes(event.host);
      break;
    case 'outputSpent':
      writer.bytes(event.key).bytes(event.outpoint.txHash).u16(event.outpoint.index);
      break;
    case 'nameRegistered':
    case 'nameRenewed':
      name(event.name).bytes(event.owner).u64(BigInt(event.expiresHeight));
      break;
    case 'nameTransferred':
      name(event.name).bytes(event.from).bytes(event.to);
      break;
    case 'agentRegistered':
      writeEndpoint(name(event.name).bytes(event.key), event.endpoint);
      break;
  }
  return writer.finish();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
