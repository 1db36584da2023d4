import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DevnetAgent } from './create.ts';

/**
 * One devnet agent as a separate process (`parley-agent run --data DIR`), watched through its
 * event log on stderr: every `CHAIN_FINAL height=…` line moves its height. The devnet command,
 * the real-process test and the benchmark all start agents this way.
 */

const agentBin = fileURLToPath(new URL('../bin.js', import.meta.url));

export type AgentLine = { readonly agent: string; readonly code: string; readonly message: string };

export class AgentProcess {
  readonly agent: DevnetAgent;
  height = 0;
  /** Hash prefix of each height this process finalized (as its log says). */
  readonly finalized = new Map<number, string>();
  /** The last lines of its event log (why it stopped, when it did). */
  readonly lastLines: string[] = [];
  #child: ChildProcess | null = null;
  #exited: Promise<number | null> = Promise.resolve(null);
  readonly #onLine: ((line: AgentLine) => void) | undefined;
  readonly #nodeArguments: readonly string[];

  /** `nodeArguments` go to node before the script (a profiler: `--cpu-prof`). */
  constructor(agent: DevnetAgent, onLine?: (line: AgentLine) => void, nodeArguments: readonly string[] = []) {
    this.agent = agent;
    this.#onLine = onLine;
    this.#nodeArguments = nodeArguments;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  start(): void {
    const child = spawn(process.execPath, [...this.#nodeArguments, agentBin, 'run', '--data', this.agent.dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stderr! }).on('line', (line) => this.#line(line));
  }

  /** SIGKILL: no chance to close anything (the crash the test wants). */
  kill(): Promise<number | null> {
    this.#child?.kill('SIGKILL');
    return this.#exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.#child;
    if (child === null || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #line(line: string): void {
    this.lastLines.push(line);
    if (this.lastLines.length > 20) this.lastLines.shift();
    const match = /^\S+ (\S+) (.*)$/.exec(line);
    if (match === null) return;
    const code = match[1]!;
    const message = match[2]!;
    if (code === 'CHAIN_FINAL') {
      const final = /height=(\d+) hash=([0-9a-f]+)/.exec(message);
      if (final !== null) {
        const height = Number(final[1]);
        this.finalized.set(height, final[2]!);
        this.height = Math.max(this.height, height);
      }
    }
    this.#onLine?.({ agent: this.agent.name, code, message });
  }
}
