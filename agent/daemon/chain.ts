import { dirname } from 'node:path';
import type { Clock, Rng } from '../../names/index.ts';
import type { Connection, Endpoint } from '../../rendezvous/socket/index.ts';
import { hasChain, isChainFrame, startChainService, type ChainService } from '../chain/index.ts';
import type { LoadedAgent } from './files.ts';
import type { EventLog } from './log.ts';

/**
 * The daemon's hook for the chain service (agent/chain/): when the agent's data directory holds
 * a chain.json (a devnet made one), `run` starts consensus on the same endpoint. Inbound
 * sessions from the chain's agents go to the service instead of the wallet handler, and frames
 * that start with 0xc1 on a wallet session are chain requests (frames.ts).
 */
export type DaemonChain = {
  readonly adopt: (connection: Connection) => boolean;
  /** True when the message was a chain frame (taken); false: a wallet message for the daemon. */
  readonly take: (connection: Connection, bytes: Uint8Array) => boolean;
  readonly close: () => void;
};

export async function attachChain(loaded: LoadedAgent, endpoint: Endpoint, world: { clock: Clock; rng: Rng; log: EventLog }): Promise<DaemonChain | undefined> {
  const dataDir = dirname(loaded.databasePath);
  if (!hasChain(dataDir)) return undefined;
  const service: ChainService = startChainService({ dataDir, endpoint, identity: loaded.identity, clock: world.clock, rng: world.rng, log: world.log });
  return {
    adopt: (connection) => service.adopt(connection),
    take: (connection, bytes) => {
      if (!isChainFrame(bytes)) return false;
      service.fromClient(connection, bytes);
      return true;
    },
    close: () => service.close(),
  };
}
