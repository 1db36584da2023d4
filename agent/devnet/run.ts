import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDevnet, devnetFile, loadDevnet, type Devnet } from './create.ts';
import { LoadClient } from './load.ts';
import { AgentProcess } from './processes.ts';

/**
 * The devnet command's shell: makes the devnet when the directory has none, starts one process
 * per agent, prints one line per agent (name, data directory, port, pid) and then one progress
 * line a second (the height every agent has finalized), optionally submits a load, and stops
 * every agent cleanly (SIGTERM, then SIGKILL after a grace period) on SIGINT or SIGTERM.
 */

export type RunDevnetOptions = {
  readonly dir: string;
  readonly agents: number;
  readonly basePort: number;
  readonly blockIntervalMs: number;
  /** Transactions per second to submit from this process (0: none). */
  readonly loadRate: number;
  readonly write: (line: string) => void;
  /** Stop after this long (tests); default: until a signal. */
  readonly durationMs?: number;
  /** Delete the directory once every agent has stopped (`npm start`'s temporary devnet). */
  readonly removeOnExit?: boolean;
};

export async function runDevnet(options: RunDevnetOptions): Promise<number> {
  const { write } = options;
  let devnet: Devnet;
  if (existsSync(join(options.dir, devnetFile))) {
    devnet = loadDevnet(options.dir);
    write(`devnet in ${devnet.dir}: ${devnet.agents.length} agents (existing; --agents and --block-ms are ignored)`);
  } else {
    devnet = createDevnet({ dir: options.dir, agents: options.agents, basePort: options.basePort, blockIntervalMs: options.blockIntervalMs, faucetOutputs: 4096 });
    write(`devnet created in ${devnet.dir}: ${devnet.agents.length} agents, chain ${devnet.chainId.slice(0, 16)}…, a block every ${devnet.blockIntervalMs} ms`);
  }
  const processes = devnet.agents.map((agent) => new AgentProcess(agent, (line) => {
    if (line.code === 'CHAIN_FORK' || line.code === 'CHAIN_EVIDENCE' || line.code === 'CHAIN_STORE_MISMATCH') write(`${line.agent}: ${line.code} ${line.message}`);
  }));
  for (const agent of processes) agent.start();
  for (const agent of processes) write(`  ${agent.agent.name}  data ${agent.agent.dataDir}  udp ${agent.agent.host}:${agent.agent.port}  pid ${agent.pid ?? '?'}`);
  write(`load with: parley-agent load --dir ${devnet.dir} --rate 50      stop with Ctrl-C`);
  const load = options.loadRate > 0 ? await LoadClient.open(devnet) : undefined;
  const loading = load?.run(options.loadRate, options.durationMs ?? Number.POSITIVE_INFINITY);
  let last = 0;
  const reported = new Set<AgentProcess>();
  const progress = setInterval(() => {
    for (const agent of processes) {
      if (agent.running || reported.has(agent)) continue;
      reported.add(agent);
      write(`${agent.agent.name} exited: ${agent.lastLines.at(-1) ?? '(no output)'}`);
    }
    const heights = processes.map((agent) => agent.height);
    const final = Math.min(...heights);
    const line = `finalized height ${final}  (${processes.map((agent) => `${agent.agent.name} ${agent.running ? agent.height : 'down'}`).join(', ')})`;
    const finalized = load?.stats.finalized ?? 0;
    write(load === undefined ? line : `${line}  load: ${finalized - last} tx/s finalized, ${load.inFlight} in flight`);
    last = finalized;
  }, 1000);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (options.durationMs !== undefined) setTimeout(done, options.durationMs);
  });
  clearInterval(progress);
  write('stopping the agents…');
  await load?.close();
  await loading;
  await Promise.all(processes.map((agent) => agent.stop()));
  if (options.removeOnExit === true) {
    rmSync(devnet.dir, { recursive: true, force: true });
    write(`stopped; removed ${devnet.dir}`);
  } else {
    write(`stopped; the devnet stays in ${devnet.dir}: restart it with parley-agent devnet --dir ${devnet.dir}`);
  }
  return 0;
}

export async function runLoad(options: { readonly dir: string; readonly rate: number; readonly durationMs: number; readonly write: (line: string) => void }): Promise<number> {
  const devnet = loadDevnet(options.dir);
  const load = await LoadClient.open(devnet);
  options.write(`load: ${load.lanes} lanes, ${options.rate} tx/s to ${devnet.agents.length} agents; Ctrl-C stops`);
  let last = 0;
  const progress = setInterval(() => {
    options.write(`submitted ${load.stats.submitted}, finalized ${load.stats.finalized} (+${load.stats.finalized - last}/s), in flight ${load.inFlight}, agents connected ${load.connectedAgents()}`);
    last = load.stats.finalized;
  }, 1000);
  const stop = (): void => void load.close();
  process.once('SIGINT', stop);
  await load.run(options.rate, options.durationMs);
  clearInterval(progress);
  await load.close();
  return 0;
}
