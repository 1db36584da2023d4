import { bytesToHex } from '../../names/index.ts';
import { LogFrontier, type SparseNodeReader } from '../merkle/index.ts';
import type { ChainParameters } from './block-params.ts';
import type {
  AgentRecord,
  EventLogState,
  LedgerTip,
  LedgerView,
  NameRecord,
  OutputRecord,
  SparseTreeName,
  StakeSnapshot,
  TransactionRecord,
} from './state-types.ts';
import { outpointId } from './tx-hash.ts';
import type { Outpoint } from './tx-types.ts';

type EventLogWork = { readonly subject: Uint8Array; readonly frontier: LogFrontier; readonly appended: Uint8Array[] };

/**
 * A view with pending writes on top of another view: apply-block.ts runs a block's
 * transactions against one, so a later transaction sees an earlier one's effects (an output
 * spent twice in one block is a double spend). A child overlay holds one transaction's writes
 * until it is known valid (mergeIntoParent), so a proposer can drop an invalid transaction.
 * Maps keep insertion order, which is the order the block made the changes.
 */
export class StateOverlay implements LedgerView {
  readonly outputs = new Map<string, OutputRecord>();
  readonly names = new Map<string, NameRecord>();
  readonly agentRecords = new Map<string, AgentRecord>();
  readonly stakes = new Map<string, { key: Uint8Array; stake: bigint }>();
  readonly eventLogs = new Map<string, EventLogWork>();
  readonly transactions = new Map<string, TransactionRecord>();
  supplyDelta = 0n;
  feesBurnedDelta = 0n;

  constructor(private readonly base: LedgerView) {}

  get params(): ChainParameters {
    return this.base.params;
  }

  get parametersHash(): Uint8Array {
    return this.base.parametersHash;
  }

  tip(): LedgerTip | null {
    return this.base.tip();
  }

  output(outpoint: Outpoint): OutputRecord | undefined {
    return this.outputs.get(outpointId(outpoint)) ?? this.base.output(outpoint);
  }

  hasTransaction(txHash: Uint8Array): boolean {
    return this.transactions.has(bytesToHex(txHash)) || this.base.hasTransaction(txHash);
  }

  name(name: string): NameRecord | undefined {
    return this.names.get(name) ?? this.base.name(name);
  }

  agent(key: Uint8Array): AgentRecord | undefined {
    return this.agentRecords.get(bytesToHex(key)) ?? this.base.agent(key);
  }

  agents(): AgentRecord[] {
    const merged = new Map(this.base.agents().map((agent) => [bytesToHex(agent.key), agent]));
    for (const [id, agent] of this.agentRecords) merged.set(id, agent);
    return [...merged.values()];
  }

  stake(host: Uint8Array): bigint {
    return this.stakes.get(bytesToHex(host))?.stake ?? this.base.stake(host);
  }

  stakeSnapshot(height: number): StakeSnapshot | undefined {
    return this.base.stakeSnapshot(height);
  }

  eventLog(subject: Uint8Array): EventLogState | undefined {
    const work = this.eventLogs.get(bytesToHex(subject));
    if (work === undefined) return this.base.eventLog(subject);
    return { count: work.frontier.size, peaks: work.frontier.peakHashes };
  }

  sparseNodes(tree: SparseTreeName): SparseNodeReader {
    return this.base.sparseNodes(tree);
  }

  // ── writes ──

  putOutput(record: OutputRecord): void {
    this.outputs.set(outpointId(record.outpoint), record);
  }

  putName(record: NameRecord): void {
    this.names.set(record.name, record);
  }

  putAgent(record: AgentRecord): void {
    this.agentRecords.set(bytesToHex(record.key), record);
  }

  addStake(host: Uint8Array, delta: bigint): void {
    this.stakes.set(bytesToHex(host), { key: host, stake: this.stake(host) + delta });
  }

  appendEvent(subject: Uint8Array, record: Uint8Array): void {
    const id = bytesToHex(subject);
    let work = this.eventLogs.get(id);
    if (work === undefined) {
      const log = this.base.eventLog(subject);
      const frontier = log === undefined ? LogFrontier.empty() : LogFrontier.fromPeaks(log.count, log.peaks);
      work = { subject, frontier, appended: [] };
      this.eventLogs.set(id, work);
    }
    work.frontier.appendData(record);
    work.appended.push(record);
  }

  addTransaction(record: TransactionRecord): void {
    this.transactions.set(bytesToHex(record.txHash), record);
  }

  /** A child overlay for one transaction's writes. */
  child(): StateOverlay {
    return new StateOverlay(this);
  }

  /** Moves this overlay's writes into the overlay it was made from. */
  mergeIntoParent(): void {
    const parent = this.base;
    if (!(parent instanceof StateOverlay)) throw new Error('mergeIntoParent: only a child overlay merges');
    for (const [id, record] of this.outputs) parent.outputs.set(id, record);
    for (const [id, record] of this.names) parent.names.set(id, record);
    for (const [id, record] of this.agentRecords) parent.agentRecords.set(id, record);
    for (const [id, entry] of this.stakes) parent.stakes.set(id, entry);
    for (const [id, record] of this.transactions) parent.transactions.set(id, record);
    for (const [id, work] of this.eventLogs) {
      const existing = parent.eventLogs.get(id);
      if (existing === undefined) {
        // The child started from the parent's log, so its frontier already includes the parent's events.
        parent.eventLogs.set(id, work);
      } else {
        parent.eventLogs.set(id, { subject: work.subject, frontier: work.frontier, appended: [...existing.appended, ...work.appended] });
      }
    }
    parent.supplyDelta += this.supplyDelta;
    parent.feesBurnedDelta += this.feesBurnedDelta;
  }
}
