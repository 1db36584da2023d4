import { equalBytes } from '../../names/index.ts';
import { LogFrontier } from '../merkle/index.ts';
import type { LedgerView, StakeEntry, StakeSnapshot } from './state-types.ts';
import { ByteWriter } from './tx-bytes.ts';

/**
 * Who may host stake, and what it weighs. An agent is live at height h while its name is live
 * and still owned by its key: transferring or losing the name retires the agent.
 */
export function isLiveAgent(view: LedgerView, key: Uint8Array, height: number): boolean {
  const agent = view.agent(key);
  if (agent === undefined) return false;
  const name = view.name(agent.name);
  return name !== undefined && name.expiresHeight > height && equalBytes(name.owner, key);
}

/** The snapshot leaf: agent key[32] ‖ stake u64. */
export function encodeStakeEntry(entry: StakeEntry): Uint8Array {
  return new ByteWriter().bytes(entry.key).u64(entry.stake).finish();
}

/** RFC 9162 root over the entries in key order: a consensus peer proves its weight by inclusion. */
export function stakeSnapshotRoot(entries: readonly StakeEntry[]): Uint8Array {
  return LogFrontier.fromLeafData(entries.map(encodeStakeEntry)).root();
}

/** The live agents with stake after block `height`, sorted by key. */
export function captureStakeSnapshot(view: LedgerView, height: number): StakeSnapshot {
  const entries = view
    .agents()
    .filter((agent) => isLiveAgent(view, agent.key, height))
    .map((agent) => ({ key: agent.key, stake: view.stake(agent.key) }))
    .filter((entry) => entry.stake > 0n)
    .sort((a, b) => Buffer.compare(a.key, b.key));
  return { height, entries, root: stakeSnapshotRoot(entries) };
}
