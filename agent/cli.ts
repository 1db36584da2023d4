/** `parley-agent` command line: the agent daemon's entry point (argv only; the work is in agent/daemon/). */
import { parseArgs } from 'node:util';
import { ParleyError } from '../names/index.ts';
import { formatAddress } from '../rendezvous/net/index.ts';
import { AgentError } from './errors.ts';
import { agentsAddCommand, initAgent, loadAgent, type AgentSettings } from './daemon/files.ts';
import { stderrLog } from './daemon/log.ts';

const usage = `usage: parley-agent <command> [options]

commands:
  init --data DIR --name NAME [--address IP] [--port P] [--probe-port P] [--second-address IP]
            create an agent: identity key, Noise static key and agent.json in DIR
            (never overwrites; defaults: 127.0.0.1, port 7400, probe port = port + 1)
  run --data DIR [--json]
            serve rendezvous on the configured UDP ports until SIGINT/SIGTERM; prints the
            agent's keys and address on start (--json: one JSON line), logs events to stderr
  devnet --dir DIR [--agents N] [--block-ms MS] [--base-port P] [--load RATE]
            make a chain of N agents (default 4) on loopback in DIR (unless DIR holds one),
            start each as its own process, print one line per agent and the finalized height
            every second; --load submits RATE tx/s from this process; Ctrl-C stops them all
  load --dir DIR [--rate R] [--seconds S]
            submit R transactions per second (default 50) to a running devnet
  start [--keep]
            run the embedded default: a 4-agent devnet in a new temporary directory,
            a block a second, a light load (what \`npm start\` runs); the directory is
            removed when it stops, unless --keep
  help      show this text`;

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'init':
        return init(rest);
      case 'run':
        return await run(rest);
      case 'devnet':
        return await devnet(rest);
      case 'load':
        return await load(rest);
      case 'start':
        return await start(rest);
      case 'help':
      case '--help':
      case '-h':
        console.log(usage);
        return 0;
      default:
        console.error(`parley-agent: unknown command ${JSON.stringify(command)}\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    if (!(error instanceof ParleyError)) throw error;
    console.error(`parley-agent ${command}: ${error.message} [${error.code}]`);
    return error instanceof AgentError && error.code === 'DAEMON_USAGE' ? 2 : 1;
  }
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new AgentError('DAEMON_USAGE', `${(error as Error).message}\n\n${usage}`);
  }
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new AgentError('DAEMON_USAGE', `--${name} is required`);
  return value;
}

function optionalPort(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9]{1,5}$/.test(value)) throw new AgentError('DAEMON_USAGE', `--${name} ${JSON.stringify(value)}: expected a port 1–65535`);
  return Number(value);
}

function init(args: string[]): number {
  const values = parse(args, { data: { type: 'string' }, name: { type: 'string' }, address: { type: 'string' }, port: { type: 'string' }, 'probe-port': { type: 'string' }, 'second-address': { type: 'string' } });
  const dataDir = required(values, 'data');
  const port = optionalPort(values, 'port');
  const probePort = optionalPort(values, 'probe-port');
  const settings = initAgent({
    dataDir,
    name: required(values, 'name'),
    ...(typeof values['address'] === 'string' ? { address: values['address'] } : {}),
    ...(port === undefined ? {} : { port }),
    ...(probePort === undefined ? {} : { probePort }),
    ...(typeof values['second-address'] === 'string' ? { secondAddress: values['second-address'] } : {}),
  });
  console.log(`agent ${settings.name} created in ${dataDir}\n${describe(settings)}\nstart it with: parley-agent run --data ${dataDir}`);
  return 0;
}

async function run(args: string[]): Promise<number> {
  const values = parse(args, { data: { type: 'string' }, json: { type: 'boolean' } });
  const loaded = loadAgent(required(values, 'data'));
  // The daemon (sockets, SQLite) loads only for `run`, so `init`, `help` and `start` stay light.
  const { startAgent } = await import('./daemon/daemon.ts');
  const agent = await startAgent(loaded, { log: stderrLog });
  const { settings } = agent;
  if (values['json'] === true) {
    console.log(JSON.stringify({ event: 'ready', name: settings.name, key: settings.identityKey, static: settings.staticKey, address: agent.endpoints.primary, endpoints: agent.endpoints, agentsAdd: agentsAddCommand(settings) }));
  } else {
    console.log(`agent ${settings.name} serving rendezvous\n${describe(settings)}`);
  }
  stderrLog('READY', `${settings.name} on ${Object.values(agent.endpoints).join(', ')}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  stderrLog('STOP', `${signal}: closing ${agent.sessionCount()} sessions`);
  await agent.close();
  return 0;
}

function integerOption(values: Record<string, string | boolean | undefined>, name: string, fallback: number, min: number, max: number): number {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) throw new AgentError('DAEMON_USAGE', `--${name} ${JSON.stringify(value)}: expected an integer ${min}–${max}`);
  return Number(value);
}

async function devnet(args: string[]): Promise<number> {
  const values = parse(args, { dir: { type: 'string' }, agents: { type: 'string' }, 'block-ms': { type: 'string' }, 'base-port': { type: 'string' }, load: { type: 'string' } });
  const { runDevnet } = await import('./devnet/index.ts');
  return runDevnet({
    dir: required(values, 'dir'),
    agents: integerOption(values, 'agents', 4, 1, 64),
    blockIntervalMs: integerOption(values, 'block-ms', 1000, 10, 60_000),
    basePort: integerOption(values, 'base-port', 7600, 1024, 65_000),
    loadRate: integerOption(values, 'load', 0, 0, 100_000),
    write: (line) => console.log(line),
  });
}

async function load(args: string[]): Promise<number> {
  const values = parse(args, { dir: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' } });
  const { runLoad } = await import('./devnet/index.ts');
  const seconds = integerOption(values, 'seconds', 0, 0, 86_400);
  return runLoad({ dir: required(values, 'dir'), rate: integerOption(values, 'rate', 50, 1, 100_000), durationMs: seconds === 0 ? Number.POSITIVE_INFINITY : seconds * 1000, write: (line) => console.log(line) });
}

/**
 * `npm start`: the embedded default devnet, in a fresh temporary directory so it never collides
 * with an earlier one; removed when it stops, unless `--keep` (then it can be restarted with
 * `parley-agent devnet --dir DIR`).
 */
async function start(args: string[]): Promise<number> {
  const values = parse(args, { keep: { type: 'boolean' } });
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { runDevnet } = await import('./devnet/index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'parley-devnet-'));
  return runDevnet({ dir, agents: 4, blockIntervalMs: 1000, basePort: 7600, loadRate: 20, removeOnExit: values.keep !== true, write: (line) => console.log(line) });
}

function describe(settings: AgentSettings): string {
  return [
    `  identity key  ${settings.identityKey}`,
    `  static key    ${settings.staticKey}`,
    `  address       ${formatAddress(settings.address, settings.port)} (NAT probes also on port ${settings.probePort}${settings.secondAddress === undefined ? '' : ` and ${settings.secondAddress}`})`,
    `wallets add it with:\n  ${agentsAddCommand(settings)}`,
  ].join('\n');
}
