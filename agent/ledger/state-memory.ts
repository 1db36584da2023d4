import { bytesToHex } from '../../names/index.ts';
import { MemorySparseNodeStore, type SparseNodeReader } from '../merkle/index.ts';
import { applyBlock, type ApplyOptions, type ApplyResult } from './apply-block.ts';
import { chainParametersHash, checkChainParameters, type ChainParameters } from './block-params.ts';
import type { Block, BlockHeader } from './block-types.ts';
import type {
  AgentRecord,
  EventLogState,
  LedgerChanges,
  LedgerStore,
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
import { AgentError } from '../errors.ts';

/** One block's writes, or (as the base) everything up to some block. */
export type MemoryTables = {
  readonly outputs: Map<string, OutputRecord>;
  readonly transactions: Map<string, TransactionRecord>;
  readonly names: Map<string, NameRecord>;
  readonly agents: Map<string, AgentRecord>;
  readonly stakes: Map<string, bigint>;
  readonly snapshots: Map<number, StakeSnapshot>;
  readonly eventLogs: Map<string, EventLogState>;
  /** Event records appended, per subject (a layer holds only its block's). */
  readonly events: Map<string, Uint8Array[]>;
  readonly headers: Map<number, BlockHeader>;
};

/** Layers above the base before they are folded into a new base: lookups stay O(layers). */
const layersMax = 32;

/**
 * The ledger state as an immutable value, for the simulator and for tests: `apply` returns a
 * new state and leaves the old one valid, so a simulated peer can validate a proposal and drop
 * it, or two forks can share history. Each state is a stack of per-block layers over a base;
 * every 32 blocks the layers are folded into a fresh base (O(state) then, O(1) per block
 * amortized over the fold). Sparse-tree nodes are content-addressed and shared by all states
 * of one chain (never deleted), so every state's roots stay readable.
 */
export class MemoryLedgerState implements LedgerView {
  readonly parametersHash: Uint8Array;

  private constructor(
    readonly params: ChainParameters,
    private readonly base: MemoryTables,
    private readonly layers: readonly MemoryTables[],
    private readonly currentTip: LedgerTip | null,
    private readonly nodes: { readonly [tree in SparseTreeName]: MemorySparseNodeStore },
    parametersHash?: Uint8Array,
  ) {
    this.parametersHash = parametersHash ?? chainParametersHash(params);
  }

  /** The state before genesis. */
  static empty(params: ChainParameters): MemoryLedgerState {
    checkChainParameters(params);
    return new MemoryLedgerState(params, emptyTables(), [], null, { outpoint: new MemorySparseNodeStore(), keyEvent: new MemorySparseNodeStore() });
  }

  /** Applies a block: the new state, or the typed error and the failing transaction's position. */
  apply(block: Block, options: ApplyOptions = {}):
    | { readonly ok: true; readonly state: MemoryLedgerState; readonly changes: LedgerChanges }
    | { readonly ok: false; readonly error: AgentError; readonly transactionIndex: number | null } {
    const result = applyBlock(this, block, options);
    if (!result.ok) return result;
    return { ok: true, state: this.commit(result.changes), changes: result.changes };
  }

  /** The state after `changes` (which applyBlock or proposeBlock computed against this state). */
  commit(changes: LedgerChanges): MemoryLedgerState {
    const layer = emptyTables();
    for (const record of changes.outputs) layer.outputs.set(outpointId(record.outpoint), record);
    for (const record of changes.transactions) layer.transactions.set(bytesToHex(record.txHash), record);
    for (const record of changes.names) layer.names.set(record.name, record);
    for (const record of changes.agents) layer.agents.set(bytesToHex(record.key), record);
    for (const entry of changes.stakes) layer.stakes.set(bytesToHex(entry.key), entry.stake);
    for (const change of changes.eventLogs) {
      const id = bytesToHex(change.subject);
      layer.eventLogs.set(id, change.log);
      layer.events.set(id, [...change.appended]);
    }
    if (changes.stakeSnapshot !== null) layer.snapshots.set(changes.stakeSnapshot.height, changes.stakeSnapshot);
    layer.headers.set(changes.tip.header.height, changes.tip.header);
    for (const tree of ['outpoint', 'keyEvent'] as const) {
      for (const { hash, node } of changes.sparse[tree].created) this.nodes[tree].putNode(hash, node);
    }
    const layers = [...this.layers, layer];
    if (layers.length < layersMax) return new MemoryLedgerState(this.params, this.base, layers, changes.tip, this.nodes, this.parametersHash);
    return new MemoryLedgerState(this.params, fold(this.base, layers), [], changes.tip, this.nodes, this.parametersHash);
  }

  tip(): LedgerTip | null {
    return this.currentTip;
  }

  output(outpoint: Outpoint): OutputRecord | undefined {
    return this.find((tables) => tables.outputs.get(outpointId(outpoint)));
  }

  hasTransaction(txHash: Uint8Array): boolean {
    return this.transaction(txHash) !== undefined;
  }

  transaction(txHash: Uint8Array): TransactionRecord | undefined {
    const id = bytesToHex(txHash);
    return this.find((tables) => tables.transactions.get(id));
  }

  name(name: string): NameRecord | undefined {
    return this.find((tables) => tables.names.get(name));
  }

  agent(key: Uint8Array): AgentRecord | undefined {
    const id = bytesToHex(key);
    return this.find((tables) => tables.agents.get(id));
  }

  agents(): AgentRecord[] {
    const merged = new Map(this.base.agents);
    for (const layer of this.layers) for (const [id, agent] of layer.agents) merged.set(id, agent);
    return [...merged.values()];
  }

  stake(host: Uint8Array): bigint {
    const id = bytesToHex(host);
    return this.find((tables) => tables.stakes.get(id)) ?? 0n;
  }

  stakeSnapshot(height: number): StakeSnapshot | undefined {
    return this.find((tables) => tables.snapshots.get(height));
  }

  eventLog(subject: Uint8Array): EventLogState | undefined {
    const id = bytesToHex(subject);
    return this.find((tables) => tables.eventLogs.get(id));
  }

  /** Every event record of a subject, in order (what an agent serves a wallet). */
  events(subject: Uint8Array): Uint8Array[] {
    const id = bytesToHex(subject);
    return [this.base, ...this.layers].flatMap((tables) => tables.events.get(id) ?? []);
  }

  header(height: number): BlockHeader | undefined {
    return this.find((tables) => tables.headers.get(height));
  }

  sparseNodes(tree: SparseTreeName): SparseNodeReader {
    return this.nodes[tree];
  }

  /** Every table folded into one, for comparisons (state-contents.ts). */
  tables(): MemoryTables {
    return this.layers.length === 0 ? this.base : fold(this.base, this.layers);
  }

  private find<Value>(lookup: (tables: MemoryTables) => Value | undefined): Value | undefined {
    for (let index = this.layers.length - 1; index >= 0; index--) {
      const found = lookup(this.layers[index]!);
      if (found !== undefined) return found;
    }
    return lookup(this.base);
  }
}

/** The in-memory LedgerStore: the latest MemoryLedgerState, replaced on every commit. */
export class MemoryLedgerStore implements LedgerStore {
  constructor(public state: MemoryLedgerState) {}

  static empty(params: ChainParameters): MemoryLedgerStore {
    return new MemoryLedgerStore(MemoryLedgerState.empty(params));
  }

  get params(): ChainParameters {
    return this.state.params;
  }

  get parametersHash(): Uint8Array {
    return this.state.parametersHash;
  }

  /** applyBlock, then commit when it succeeds. */
  apply(block: Block, options: ApplyOptions = {}): ApplyResult {
    const result = applyBlock(this.state, block, options);
    if (result.ok) this.commit(result.changes);
    return result;
  }

  commit(changes: LedgerChanges): void {
    this.state = this.state.commit(changes);
  }

  tip(): LedgerTip | null {
    return this.state.tip();
  }
  output(outpoint: Outpoint): OutputRecord | undefined {
    return this.state.output(outpoint);
  }
  hasTransaction(txHash: Uint8Array): boolean {
    return this.state.hasTransaction(txHash);
  }
  transaction(txHash: Uint8Array): TransactionRecord | undefined {
    return this.state.transaction(txHash);
  }
  name(name: string): NameRecord | undefined {
    return this.state.name(name);
  }
  agent(key: Uint8Array): AgentRecord | undefined {
    return this.state.agent(key);
  }
  agents(): AgentRecord[] {
    return this.state.agents();
  }
  stake(host: Uint8Array): bigint {
    return this.state.stake(host);
  }
  stakeSnapshot(height: number): StakeSnapshot | undefined {
    return this.state.stakeSnapshot(height);
  }
  eventLog(subject: Uint8Array): EventLogState | undefined {
    return this.state.eventLog(subject);
  }
  events(subject: Uint8Array): Uint8Array[] {
    return this.state.events(subject);
  }
  header(height: number): BlockHeader | undefined {
    return this.state.header(height);
  }
  sparseNodes(tree: SparseTreeName): SparseNodeReader {
    return this.state.sparseNodes(tree);
  }
}

/** Applies a block to an in-memory state: `apply(state, block) → {ok, state} | {ok: false, error}`. */
export function apply(state: MemoryLedgerState, block: Block, options: ApplyOptions = {}): ReturnType<MemoryLedgerState['apply']> {
  return state.apply(block, options);
}

function emptyTables(): MemoryTables {
  return {
    outputs: new Map(),
    transactions: new Map(),
    names: new Map(),
    agents: new Map(),
    stakes: new Map(),
    snapshots: new Map(),
    eventLogs: new Map(),
    events: new Map(),
    headers: new Map(),
  };
}

/** A new base: copies of the base's maps with the layers written over them, oldest first. */
function fold(base: MemoryTables, layers: readonly MemoryTables[]): MemoryTables {
  const folded: MemoryTables = {
    outputs: new Map(base.outputs),
    transactions: new Map(base.transactions),
    names: new Map(base.names),
    agents: new Map(base.agents),
    stakes: new Map(base.stakes),
    snapshots: new Map(base.snapshots),
    eventLogs: new Map(base.eventLogs),
    events: new Map(base.events),
    headers: new Map(base.headers),
  };
  for (const layer of layers) {
    for (const key of ['outputs', 'transactions', 'names', 'agents', 'stakes', 'snapshots', 'eventLogs', 'headers'] as const) {
      const target = folded[key] as Map<unknown, unknown>;
      for (const [id, value] of layer[key] as Map<unknown, unknown>) target.set(id, value);
    }
    for (const [id, records] of layer.events) folded.events.set(id, [...(folded.events.get(id) ?? []), ...records]);
  }
  return folded;
}
