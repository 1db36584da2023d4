/**
 * Runs the real binaries in the namespace lab (netlab.ts): `parley-agent run` in the agent
 * namespace (both addresses, ports 3478/3479, as the NAT classification expects), and
 * `parley listen` / `parley connect` / `parley send` in host namespaces. Each wallet has its own
 * data directory under one temporary directory, removed with the lab. `ParleyLab.loopback()`
 * runs the same on 127.0.0.1 without namespaces (CLI tests, and the benchmark without root).
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type HostSpec, type Lab, type LabHost } from './netlab.ts';

const root = new URL('../../', import.meta.url).pathname;
const agentBin = join(root, 'agent/bin.js');
const walletBin = join(root, 'client/bin.js');
export const agentName = 'agent1';

export type CommandResult = { code: number | null; stdout: string; stderr: string; wallMs: number };

export interface Listener {
  readonly login: string;
  readonly child: ChildProcess;
  /** Every stdout line so far (JSON with --json). */
  readonly lines: string[];
  stderr(): string;
  /** Resolves with the first stdout line that matches, or rejects after timeoutMs. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  stop(): Promise<void>;
}

/** Where the processes run: the namespace lab, or this host's loopback. */
interface Network {
  readonly lab: Lab | undefined;
  readonly agentAddress: string;
  readonly agentSecondAddress: string | undefined;
  readonly hostCount: number;
  /** Extra arguments for every networked `parley` command (loopback: bind 127.0.0.1). */
  readonly walletArgs: readonly string[];
  spawn(host: number | 'agent', argv: string[], stdin?: 'ignore' | 'pipe'): ChildProcess;
  destroy(): void;
}

export class ParleyLab {
  readonly #network: Network;
  readonly directory: string;
  #agentsAdd: string[] = [];
  #agent: ChildProcess | undefined;
  #agentData: string | undefined;
  #agentLog = '';
  #wallets = new Set<string>();

  private constructor(network: Network) {
    this.#network = network;
    this.directory = mkdtempSync(join(tmpdir(), 'parley-lab-'));
  }

  /** The namespace lab with one host per spec (netlab.ts createLab). */
  static namespaces(specs: readonly HostSpec[]): ParleyLab {
    return new ParleyLab(namespaceNetwork(createLab(specs)));
  }

  /** Every "host" is this machine: wallets bind 127.0.0.1, the agent a random free port pair. */
  static loopback(hostCount: number): ParleyLab {
    return new ParleyLab(loopbackNetwork(hostCount));
  }

  /** The namespace lab; undefined on loopback. */
  get lab(): Lab {
    const lab = this.#network.lab;
    if (lab === undefined) throw new Error('no namespace lab: this ParleyLab runs on loopback');
    return lab;
  }

  get hosts(): readonly LabHost[] {
    return this.lab.hosts;
  }

  agentLog(): string {
    return this.#agentLog;
  }

  /** Initializes and starts the agent; resolves once it printed its ready line. */
  async startAgent(): Promise<void> {
    const network = this.#network;
    for (let attempt = 1; ; attempt++) {
      const data = join(this.directory, `agent-${attempt}`);
      // The lab's agent has the whole namespace: the classification's usual ports. Loopback: a random pair.
      const port = network.lab === undefined ? 20_000 + 2 * Math.floor(Math.random() * 20_000) : 3478;
      const second = network.agentSecondAddress === undefined ? [] : ['--second-address', network.agentSecondAddress];
      execFileSync(process.execPath, [agentBin, 'init', '--data', data, '--name', agentName, '--address', network.agentAddress, ...second, '--port', String(port), '--probe-port', String(port + 1)], { stdio: 'ignore' });
      try {
        const ready = await this.#runAgent(data);
        this.#agentsAdd = ready.agentsAdd.split(' ').slice(1); // drop the leading `parley`
        return;
      } catch (error) {
        if (attempt >= 5 || !this.#agentLog.includes('DAEMON_BIND_FAILED')) throw error;
      }
    }
  }

  /** SIGTERM to the agent; resolves with its exit code. */
  async stopAgent(): Promise<number | null> {
    const agent = this.#agent;
    if (agent === undefined) return null;
    await stopChild(agent);
    this.#agent = undefined;
    return agent.exitCode;
  }

  /** Stops the agent and runs it again on the same data directory (same keys, accounts, ports). */
  async restartAgent(): Promise<void> {
    await this.stopAgent();
    if (this.#agentData === undefined) throw new Error('restartAgent before startAgent');
    await this.#runAgent(this.#agentData);
  }

  async #runAgent(data: string): Promise<{ agentsAdd: string }> {
    const child = this.#network.spawn('agent', [process.execPath, agentBin, 'run', '--data', data, '--json']);
    this.#agent = child;
    this.#agentData = data;
    child.stderr!.on('data', (chunk: Buffer) => (this.#agentLog += chunk.toString()));
    return JSON.parse(await firstLine(child, 15_000, () => this.#agentLog)) as { agentsAdd: string };
  }

  /** A wallet `name@agent1` with its own data directory and the agent in its directory. */
  wallet(name: string): string {
    const data = join(this.directory, name);
    if (!this.#wallets.has(name)) {
      execFileSync(process.execPath, [walletBin, 'init', '--data', data, '--login', `${name}@${agentName}`], { stdio: 'ignore' });
      execFileSync(process.execPath, [walletBin, ...this.#agentsAdd, '--data', data], { stdio: 'ignore' });
      this.#wallets.add(name);
    }
    return data;
  }

  /** The wallet's key as `parley whoami` prints it (pw1…). */
  walletKey(name: string): string {
    const output = execFileSync(process.execPath, [walletBin, 'whoami', '--json', '--data', this.wallet(name)], { encoding: 'utf8' });
    return (JSON.parse(output) as { key: string }).key;
  }

  /** `parley listen --json` as `name` in host `hostIndex`; resolves once it is online and classified. */
  async listen(hostIndex: number, name: string, extra: string[] = []): Promise<Listener> {
    const data = this.wallet(name);
    const child = this.#network.spawn(hostIndex, [process.execPath, walletBin, 'listen', '--data', data, '--json', ...this.#network.walletArgs, ...extra]);
    const lines: string[] = [];
    let stderr = '';
    let buffered = '';
    const waiters = new Set<() => void>();
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line !== ''));
      for (const waiter of [...waiters]) waiter();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const waiter of [...waiters]) waiter();
    });
    const waitFor = (test: () => string | undefined, timeoutMs: number, what: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = test();
          if (found !== undefined) done(() => resolve(found));
          else if (child.exitCode !== null) done(() => reject(new Error(`${name}: listener exited (${child.exitCode}) before ${what}; stderr:\n${stderr}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${name}: no ${what} within ${timeoutMs} ms; stderr:\n${stderr}`))), timeoutMs);
        const done = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', check);
          settle();
        };
        waiters.add(check);
        child.on('exit', check);
        check();
      });
    await waitFor(() => (/online as/.test(stderr) ? 'online' : undefined), 20_000, 'online line');
    return {
      login: `${name}@${agentName}`,
      child,
      lines,
      stderr: () => stderr,
      waitForLine: (match, timeoutMs) => waitFor(() => lines.find(match), timeoutMs, 'matching line'),
      stop: () => stopChild(child),
    };
  }

  /** Runs a `parley` command as `name` in host `hostIndex` and collects its output. */
  parley(hostIndex: number, name: string, args: string[], input?: string): Promise<CommandResult> {
    const data = this.wallet(name);
    const started = performance.now();
    const child = this.#network.spawn(hostIndex, [process.execPath, walletBin, ...args, '--data', data, ...this.#networkArgs(args)], input === undefined ? 'ignore' : 'pipe');
    return collect(child, started, input);
  }

  /** Starts a `parley` command whose standard input the test writes (send --stdin). */
  spawnParley(hostIndex: number, name: string, args: string[]): ChildProcess {
    const data = this.wallet(name);
    return this.#network.spawn(hostIndex, [process.execPath, walletBin, ...args, '--data', data, ...this.#networkArgs(args)], 'pipe');
  }

  #networkArgs(args: string[]): readonly string[] {
    return ['connect', 'send', 'listen'].includes(args[0] ?? '') ? this.#network.walletArgs : [];
  }

  router(hostIndex: number): string {
    const router = this.host(hostIndex).routerNamespace;
    if (router === undefined) throw new Error(`host ${hostIndex} has no NAT router`);
    return router;
  }

  host(hostIndex: number): LabHost {
    const host = this.lab.hosts[hostIndex];
    if (host === undefined) throw new Error(`no host ${hostIndex}`);
    return host;
  }

  async destroy(): Promise<void> {
    if (this.#agent !== undefined) await stopChild(this.#agent);
    this.#network.destroy();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

function namespaceNetwork(lab: Lab): Network {
  return {
    lab,
    agentAddress: lab.agentAddress,
    agentSecondAddress: lab.agentSecondAddress,
    hostCount: lab.hosts.length,
    walletArgs: [],
    spawn: (host, argv, stdin) => {
      const namespace = host === 'agent' ? lab.agentNamespace : lab.hosts[host]?.namespace;
      if (namespace === undefined) throw new Error(`no host ${host}`);
      return lab.spawn(namespace, argv, stdin);
    },
    destroy: () => lab.destroy(),
  };
}

function loopbackNetwork(hostCount: number): Network {
  const children = new Set<ChildProcess>();
  const destroy = (): void => {
    process.removeListener('exit', destroy);
    for (const child of children) child.kill('SIGKILL');
  };
  process.once('exit', destroy);
  return {
    lab: undefined,
    agentAddress: '127.0.0.1',
    agentSecondAddress: undefined,
    hostCount,
    walletArgs: ['--bind', '127.0.0.1'],
    spawn: (host, argv, stdin = 'ignore') => {
      if (host !== 'agent' && (host < 0 || host >= hostCount)) throw new Error(`no host ${host}`);
      const [command, ...rest] = argv;
      const child = spawn(command!, rest, { stdio: [stdin, 'pipe', 'pipe'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    destroy,
  };
}

export function collect(child: ChildProcess, started: number, input?: string): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (input !== undefined) child.stdin?.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: Math.round(performance.now() - started) })));
}

/** SIGTERM, then SIGKILL if it lingers: a listener goes offline cleanly first. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function firstLine(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`agent printed no ready line within ${timeoutMs} ms; stderr:\n${stderr()}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve(buffered.slice(0, newline));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}) before its ready line; stderr:\n${stderr()}`));
    });
  });
}
